const BARS = "▁▂▃▄▅▆▇█";

/** A one-line text sketch of a series: `width` cells, a space where nothing is known. Pure. */
export function sparkline(values: readonly (number | null)[], width = 40): string {
  if (values.length === 0) return "";
  const cells = Math.min(width, values.length);
  const buckets: (number | null)[] = [];
  for (let c = 0; c < cells; c++) {
    const slice = values.slice(
      Math.floor((c * values.length) / cells),
      Math.floor(((c + 1) * values.length) / cells),
    );
    const known = slice.filter((v): v is number => v !== null && Number.isFinite(v));
    buckets.push(known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length);
  }
  const known = buckets.filter((v): v is number => v !== null);
  if (known.length === 0) return " ".repeat(cells);
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  return buckets
    .map((v) => {
      if (v === null) return " ";
      const i = hi === lo ? 0 : Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1));
      return BARS[i];
    })
    .join("");
}
