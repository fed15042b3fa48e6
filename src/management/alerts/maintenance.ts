import { parseDuration } from "../../lib/clock.js";
import type { AlertsConfig } from "./config-schema.js";

type Window = AlertsConfig["maintenance"][number];

export interface DeviceFacts {
  device: string;
  tags: readonly string[];
  site: string | null;
}

/** The maintenance window covering the device at `now`, if any (first in config order). */
export function activeWindow(windows: readonly Window[], d: DeviceFacts, now: number): Window | undefined {
  return windows.find((w) => covers(w, d) && isOpen(w, now));
}

function covers(w: Window, d: DeviceFacts): boolean {
  const scoped = w.devices.length + w.tags.length + w.sites.length > 0;
  if (!scoped) return true;
  const lower = (s: string) => s.toLowerCase();
  return (
    w.devices.some((x) => lower(x) === lower(d.device)) ||
    w.tags.some((t) => d.tags.some((x) => lower(x) === lower(t))) ||
    (d.site !== null && w.sites.some((s) => lower(s) === lower(d.site!)))
  );
}

export function isOpen(w: Window, now: number): boolean {
  if (w.start !== undefined && w.end !== undefined)
    return now >= Date.parse(w.start) && now < Date.parse(w.end);
  if (w.cron === undefined || w.duration === undefined) return false;
  const length = parseDuration(w.duration) ?? 0;
  // Open when the cron expression matched a minute within the last `length`.
  const minute = 60_000;
  const first = Math.floor((now - length) / minute) + 1;
  const last = Math.floor(now / minute);
  const cron = parseCron(w.cron);
  for (let m = last; m >= first; m--) if (cronMatches(cron, m * minute)) return true;
  return false;
}

type CronFields = [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
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

function cronMatches(f: CronFields, at: number): boolean {
  const d = new Date(at);
  return (
    f[0].has(d.getUTCMinutes()) &&
    f[1].has(d.getUTCHours()) &&
    f[2].has(d.getUTCDate()) &&
    f[3].has(d.getUTCMonth() + 1) &&
    f[4].has(d.getUTCDay())
  );
}
