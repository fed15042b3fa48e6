/**
 * Matching 5-field cron expressions (minute hour day-of-month month day-of-week) in UTC: recurring
 * windows ask "did this minute match?" rather than schedule a job (node-cron does the scheduling).
 */
export type CronFields = [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
const RANGES: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];
const cache = new Map<string, CronFields>();

/** A 5-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC. */
export function parseCron(expression: string): CronFields {
  const hit = cache.get(expression);
  if (hit) return hit;
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`"${expression}" is not a 5-field cron expression`);
  const fields = parts.map((part, i) => {
    const [lo, hi] = RANGES[i]!;
    const set = new Set<number>();
    for (const item of part.split(",")) {
      const [range, stepText] = item.split("/");
      const step = stepText === undefined ? 1 : Number(stepText);
      let [a, b] = range === "*" ? [lo, hi] : ((range ?? "").split("-").map(Number) as [number, number?]);
      b ??= stepText === undefined ? a : hi;
      if (![a, b, step].every(Number.isInteger) || a < lo || b > hi || step < 1)
        throw new Error(`"${expression}": bad field "${part}"`);
      for (let v = a; v <= b; v += step) set.add(i === 4 && v === 7 ? 0 : v);
    }
    return set;
  }) as CronFields;
  cache.set(expression, fields);
  return fields;
}

/** Does the minute holding `at` (ms since epoch) match the parsed expression, in UTC? */
export function cronMatches(f: CronFields, at: number): boolean {
  const d = new Date(at);
  return (
    f[0].has(d.getUTCMinutes()) &&
    f[1].has(d.getUTCHours()) &&
    f[2].has(d.getUTCDate()) &&
    f[3].has(d.getUTCMonth() + 1) &&
    f[4].has(d.getUTCDay())
  );
}
