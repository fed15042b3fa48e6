import { formatDuration } from "../lib/clock.js";
import type { DataAge } from "./fleet-query-types.js";

/** Data older than this many poll intervals is stale: at least one poll was missed. */
export const STALE_AFTER_INTERVALS = 2;

export function isStale(age: DataAge, now: number): boolean {
  if (age.polledAt === null) return true;
  return now - age.polledAt > STALE_AFTER_INTERVALS * age.intervalMs;
}

/** "2m", "1h 5m", "3d": how long ago, compact. */
export function formatAgo(ms: number): string {
  if (ms < 1000) return "0s";
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${h}h` : `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d`;
}

/**
 * The data-age line every answer carries: "data 2m old", or
 * "⚠ stale: data 14m old (polled every 5m)", or "no data yet (never polled)". For a list, the age is
 * that of its oldest row: "data up to 4m old".
 */
export function describeAge(age: DataAge, now: number, options: { list?: boolean } = {}): string {
  if (age.polledAt === null) return "no data yet (never polled)";
  const text = `data ${options.list ? "up to " : ""}${formatAgo(now - age.polledAt)} old`;
  if (!isStale(age, now)) return text;
  return `⚠ stale: ${text} (polled every ${formatInterval(age.intervalMs)})`;
}

export function formatInterval(ms: number): string {
  return ms >= 60_000 ? formatAgo(ms) : formatDuration(ms);
}
