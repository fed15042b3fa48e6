import { parseDuration } from "./clock.js";
import { UsageError } from "./errors.js";

/**
 * A point in time as people write it for "since": a duration back from now (`7d`, `12h`, `30m`) or an
 * ISO date/time (`2026-11-30`, `2026-11-30T08:00Z`). Returns ms since the epoch.
 */
export function parseSince(text: string, now: number, what = "since"): number {
  const ago = parseDuration(text);
  if (ago !== undefined) return now - ago;
  if (/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) {
    const at = Date.parse(text.trim());
    if (!Number.isNaN(at)) return at;
  }
  throw new UsageError(
    `${what}=${text} is not a time: give a duration back from now (7d, 12h, 30m) or a date (2026-11-30, 2026-11-30T08:00Z).`,
  );
}
