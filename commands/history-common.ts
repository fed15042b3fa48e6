import { parseDuration } from "../src/lib/clock.js";
import { UsageError } from "../src/lib/errors.js";

/** A look-back window such as 6h or 7d: its length in ms and its text; at most a year. */
export function windowOf(text: string | undefined, fallback: string): { ms: number; text: string } {
  const t = text ?? fallback;
  const ms = parseDuration(t);
  if (ms === undefined || ms <= 0)
    throw new UsageError(`"${t}" is not a time range; use e.g. 6h, 24h or 7d.`);
  if (ms > 366 * 86_400_000)
    throw new UsageError(`${t} is longer than a year; history keeps at most a year.`);
  return { ms, text: t };
}
