import { Cron } from "croner";

/**
 * The one cron dialect of opsbot (croner): polling, backups, the alert digest and maintenance windows
 * all read expressions the same way, in the one configured `timezone` (default UTC). crontab(5)
 * semantics: 5 fields (minute hour day-of-month month day-of-week; a leading seconds field is
 * accepted), names (`MON`, `JAN`), nicknames
 * (`@daily`, `@hourly`…), `L` (last day of the month / last weekday), `#` (`1#1`: first Monday), and
 * day-of-month OR day-of-week when both are restricted.
 */
export const DEFAULT_TIMEZONE = "UTC";

const cache = new Map<string, Cron>();

/**
 * croner's zone option. UTC (the default) as a fixed offset: the same times — UTC has no daylight
 * saving — without croner building an Intl.DateTimeFormat for every date it converts (≈ 40 ms of a
 * one-shot command that registers the configured devices' poll intervals).
 */
function zone(timezone: string): { timezone: string } | { utcOffset: number } {
  return timezone === "UTC" || timezone === "Etc/UTC" ? { utcOffset: 0 } : { timezone };
}

function pattern(expression: string, timezone: string): Cron {
  const key = `${timezone}\u0000${expression}`;
  let c = cache.get(key);
  if (!c) {
    const nickname = expression.trim().startsWith("@");
    const fields = expression.trim().split(/\s+/).length;
    if (!nickname && fields !== 5 && fields !== 6) {
      throw new Error("it needs 5 fields: minute hour day-of-month month day-of-week");
    }
    const mode = nickname ? "auto" : "5-or-6-parts";
    c = new Cron(expression.trim(), { paused: true, ...zone(timezone), mode, domAndDow: false });
    if (cache.size > 1000) cache.clear();
    cache.set(key, c);
  }
  return c;
}

/** Why an expression is not valid, or undefined when it is. */
export function cronProblem(expression: string, timezone = DEFAULT_TIMEZONE): string | undefined {
  try {
    pattern(expression, timezone);
    return undefined;
  } catch (err) {
    const reason = (err as Error).message.replace(/^CronPattern: /, "");
    return `"${expression}" is not a cron expression (${reason})`;
  }
}

/** Is `timezone` an IANA name (or UTC) this runtime knows? */
export function isTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** Does the minute holding `at` (ms since epoch) match the expression? */
export function cronMatches(expression: string, at: number, timezone = DEFAULT_TIMEZONE): boolean {
  return pattern(expression, timezone).match(new Date(Math.floor(at / 60_000) * 60_000));
}

/** The latest start at or before `at` within `lookbackMs`, if any (a recurring window's opening). */
export function lastCronStart(
  expression: string,
  at: number,
  lookbackMs: number,
  timezone = DEFAULT_TIMEZONE,
): number | undefined {
  const minute = Math.floor(at / 60_000) * 60_000;
  if (cronMatches(expression, minute, timezone)) return minute;
  const [prev] = pattern(expression, timezone).previousRuns(1, new Date(minute));
  if (!prev) return undefined;
  return at - prev.getTime() < lookbackMs ? prev.getTime() : undefined;
}

/** The next `n` run times after `from`. */
export function nextCronRuns(
  expression: string,
  n: number,
  from: number,
  timezone = DEFAULT_TIMEZONE,
): number[] {
  return pattern(expression, timezone)
    .nextRuns(n, new Date(from))
    .map((d) => d.getTime());
}

/** Runs `tick` on the expression's schedule until stopped. */
export function scheduleCron(
  expression: string,
  tick: () => void,
  options: { timezone?: string; name?: string } = {},
): { stop(): void } {
  const job = new Cron(
    expression.trim(),
    { ...zone(options.timezone ?? DEFAULT_TIMEZONE), domAndDow: false, catch: true, unref: true },
    () => tick(),
  );
  return { stop: () => job.stop() };
}
