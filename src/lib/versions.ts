/**
 * Version strings compared the way network and server vendors number them. Pure; no I/O. The one
 * version order of opsbot: firmware compliance (management) and runbook gates (orchestration) both
 * use it, so "at least 17.9.4" means the same everywhere.
 *
 * Two parsers:
 * - JunOS ("21.4R3-S5.4"): major.minor, release type (I < B < R), release number, service release
 *   (-S5, absent = 0) and build (.4); a build is later than none ("21.4R3-S5" < "21.4R3-S5.4").
 *   `sameRelease` lets an exact baseline without a build accept any build of that release.
 * - Everything else: numeric and alphabetic runs, separators ignored, so Cisco IOS "15.2(7)E3", NX-OS
 *   "9.3(10)" and "7.0(3)I7(8)" = "7.0.3.I7(8)", EOS "4.28.3M", IOS-XE "17.9.4a", PAN-OS "10.2.4-h2"
 *   all compare number by number. Where one version is a prefix of the other, the longer one is newer
 *   (a rebuild "a", a hotfix "-h2", a maintenance "E3"), unless it continues with a pre-release word
 *   ("1.0-rc1" is older than "1.0").
 */
export type VersionToken = number | string;

export interface ParsedVersion {
  /** The version as found (e.g. "15.2(7)E3" out of "Version 15.2(7)E3, RELEASE SOFTWARE"). */
  text: string;
  family: "junos" | "generic";
  tokens: VersionToken[];
}

/** Words that make a version older than the same version without them. Lower rank = older. */
const PRE_RELEASE_RANK: Record<string, number> = {
  dev: -6,
  snapshot: -5,
  alpha: -4,
  ea: -3,
  beta: -2,
  preview: -1,
  pre: -1,
  rc: 0,
};

/** JunOS release types: internal and beta builds precede the release of the same number. */
const JUNOS_TYPE_RANK: Record<string, number> = { I: 0, B: 1, R: 2, F: 2 };

const JUNOS = /^(\d+)\.(\d+)([IBRF])(\d+)(?:\.(\d+))?(?:-S(\d+)(?:\.(\d+))?)?$/;

/** The first thing in the text that looks like a version: starts with a digit, runs to a space or comma. */
const VERSION_IN_TEXT = /\d[0-9A-Za-z.()\-_+]*/;

export function parseVersion(raw: string): ParsedVersion | undefined {
  const found = VERSION_IN_TEXT.exec(raw);
  if (!found) return undefined;
  const text = found[0].replace(/[.\-_+]+$/, "");
  const junos = JUNOS.exec(text);
  if (junos) {
    const [, major, minor, type, release, build, service, serviceBuild] = junos;
    const tokens: VersionToken[] = [
      Number(major),
      Number(minor),
      JUNOS_TYPE_RANK[type!] ?? 0,
      Number(release),
      service === undefined ? 0 : Number(service),
    ];
    // The build of the release (R3.13) or of the service release (R3-S5.4); absent = any build.
    const b = service === undefined ? build : serviceBuild;
    if (b !== undefined) tokens.push(Number(b));
    return { text, family: "junos", tokens };
  }
  return { text, family: "generic", tokens: genericTokens(text) };
}

function genericTokens(text: string): VersionToken[] {
  const tokens: VersionToken[] = [];
  for (const m of text.matchAll(/(\d+)|([A-Za-z]+)/g)) {
    tokens.push(m[1] !== undefined ? Number(m[1]) : m[2]!.toLowerCase());
  }
  return tokens;
}

function isPreRelease(token: VersionToken | undefined): boolean {
  return typeof token === "string" && token in PRE_RELEASE_RANK;
}

function compareTokens(a: VersionToken, b: VersionToken): number {
  if (typeof a === "number" && typeof b === "number") return Math.sign(a - b);
  // A letter where the other has a number ("4.28.3M" vs "4.28.3.1M"): the numbered one is later.
  if (typeof a === "string" && typeof b === "number") return -1;
  if (typeof a === "number" && typeof b === "string") return 1;
  const sa = a as string;
  const sb = b as string;
  const ra = PRE_RELEASE_RANK[sa];
  const rb = PRE_RELEASE_RANK[sb];
  if (ra !== undefined || rb !== undefined) {
    // A pre-release word is older than any other word ("beta" < "e"), and ranked among themselves.
    return Math.sign((ra ?? 1) - (rb ?? 1));
  }
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Compares two parsed versions: negative when a is older, 0 when equal, positive when newer. */
export function compareParsed(a: ParsedVersion, b: ParsedVersion): number {
  if (a.family !== b.family) {
    // Mixed formats ("21.4R3" vs "18.2X75-D30"): compare both the generic way.
    return compareParsed(asGeneric(a), asGeneric(b));
  }
  const bothJunos = a.family === "junos" && b.family === "junos";
  const n = Math.min(a.tokens.length, b.tokens.length);
  for (let i = 0; i < n; i++) {
    const c = compareTokens(a.tokens[i]!, b.tokens[i]!);
    if (c !== 0) return c;
  }
  if (a.tokens.length === b.tokens.length) return 0;
  if (bothJunos) return a.tokens.length > b.tokens.length ? 1 : -1;
  // One is a prefix of the other: the longer is a later build, unless it goes on with "rc", "beta"…
  if (a.tokens.length > b.tokens.length) return isPreRelease(a.tokens[n]) ? -1 : 1;
  return isPreRelease(b.tokens[n]) ? 1 : -1;
}

function asGeneric(v: ParsedVersion): ParsedVersion {
  return v.family === "generic" ? v : { text: v.text, family: "generic", tokens: genericTokens(v.text) };
}

/**
 * Compares two version strings. Returns undefined when either holds no version at all (no digit), so
 * the caller can say "unknown" instead of guessing.
 */
export function compareVersions(a: string, b: string): number | undefined {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) return undefined;
  return compareParsed(pa, pb);
}

/**
 * Does `have` run the release `want` names? Equal versions, or — for JunOS, where a baseline often
 * names a release without its build — any build of it ("21.4R3-S5.4" runs "21.4R3-S5").
 */
export function sameRelease(have: ParsedVersion, want: ParsedVersion): boolean {
  if (compareParsed(have, want) === 0) return true;
  if (have.family !== "junos" || want.family !== "junos" || want.tokens.length >= have.tokens.length)
    return false;
  return want.tokens.every((t, i) => have.tokens[i] === t);
}
