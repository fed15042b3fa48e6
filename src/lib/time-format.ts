import { DEFAULT_TIMEZONE } from "./cron.js";

/**
 * Wall-clock times in answers, in the one configured `timezone` and always naming it ("14:02 UTC",
 * "2026-12-01 15:02 Europe/Berlin"), so a time read in chat is never ambiguous. The zone is a display
 * setting of the process, like a locale: the composition root sets it once from the config.
 */
let zone = DEFAULT_TIMEZONE;
const formatters = new Map<string, Intl.DateTimeFormat>();

export function setDisplayTimezone(timezone: string): void {
  zone = timezone;
}

export function displayTimezone(): string {
  return zone;
}

function parts(ms: number, timezone: string): Record<string, string> {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone: timezone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timezone, f);
  }
  return Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
}

/** "14:02 UTC" */
export function formatClock(ms: number, timezone = zone): string {
  const p = parts(ms, timezone);
  return `${p.hour}:${p.minute} ${timezone}`;
}

/** "2026-12-01 14:02 UTC" */
export function formatDateTime(ms: number, timezone = zone): string {
  const p = parts(ms, timezone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${timezone}`;
}

/** "2026-12-01 (UTC)" */
export function formatDate(ms: number, timezone = zone): string {
  const p = parts(ms, timezone);
  return `${p.year}-${p.month}-${p.day} (${timezone})`;
}
