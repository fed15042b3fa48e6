import type { AlertsConfig } from "../../config/alerts-schema.js";
import { parseDuration } from "../../lib/clock.js";
import { DEFAULT_TIMEZONE, lastCronStart } from "../../lib/cron.js";

type Window = AlertsConfig["maintenance"][number];

export interface DeviceFacts {
  device: string;
  tags: readonly string[];
  site: string | null;
}

/** The maintenance window covering the device at `now`, if any (first in config order). */
export function activeWindow(
  windows: readonly Window[],
  d: DeviceFacts,
  now: number,
  timezone = DEFAULT_TIMEZONE,
): Window | undefined {
  return windows.find((w) => covers(w, d) && isOpen(w, now, timezone));
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

export function isOpen(w: Window, now: number, timezone = DEFAULT_TIMEZONE): boolean {
  if (w.start !== undefined && w.end !== undefined)
    return now >= Date.parse(w.start) && now < Date.parse(w.end);
  if (w.cron === undefined || w.duration === undefined) return false;
  const length = parseDuration(w.duration) ?? 0;
  // Open when the cron expression matched a minute within the last `length`.
  return lastCronStart(w.cron, now, length, timezone) !== undefined;
}
