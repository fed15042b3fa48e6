/**
 * Compares firmware versions as vendors write them: "15.2(7)E3", "9.3(10)", "7.0.12-1", "v2.4.1".
 * Numbers compare numerically, letters alphabetically (case-insensitive), a number sorts above a
 * letter at the same position, and a version that is a prefix of another is lower ("9.3" < "9.3.1").
 */
export function compareVersions(a: string, b: string): number {
  const ta = tokens(a);
  const tb = tokens(b);
  for (let i = 0; i < Math.max(ta.length, tb.length); i++) {
    const x = ta[i];
    const y = tb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === "number" && typeof y === "number") {
      if (x !== y) return x < y ? -1 : 1;
    } else if (typeof x === "number") return 1;
    else if (typeof y === "number") return -1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function tokens(v: string): (number | string)[] {
  return (
    v
      .trim()
      .replace(/^v(?=\d)/i, "")
      .toLowerCase()
      .match(/\d+|[a-z]+/g) ?? []
  ).map((t) => (/^\d/.test(t) ? Number(t) : t));
}
