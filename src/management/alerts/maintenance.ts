import type { AlertsConfig } from "../../config/alerts-schema.js";
import { parseDuration } from "../../lib/clock.js";
import { cronMatches, parseCron } from "../../lib/cron.js";

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
