/** Time axis ticks in a time zone, at round steps (5 min … 7 days). Pure. */
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const STEPS = [
  5 * MIN,
  10 * MIN,
  15 * MIN,
  30 * MIN,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
];

export interface TimeTick {
  at: number;
  label: string;
}

/** Building an Intl formatter costs far more than using one: one per zone and style, kept. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const STYLES: Record<"parts" | "time" | "date", Intl.DateTimeFormatOptions> = {
  parts: {
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  },
  time: { hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
  date: { weekday: "short", day: "numeric" },
};
function formatter(timeZone: string, style: keyof typeof STYLES): Intl.DateTimeFormat {
  const key = `${style} ${timeZone}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", { timeZone, ...STYLES[style] });
    formatters.set(key, f);
  }
  return f;
}

/** Offset of the zone from UTC at `at`, in ms (Europe/Amsterdam in summer: +2 h). */
export function zoneOffsetMs(at: number, timeZone: string): number {
  const parts = formatter(timeZone, "parts").formatToParts(new Date(at));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return wall - Math.floor(at / 1000) * 1000;
}

export function timeTicks(from: number, to: number, timeZone: string, maxTicks: number): TimeTick[] {
  const span = Math.max(1, to - from);
  const step = STEPS.find((s) => span / s <= maxTicks) ?? STEPS.at(-1)!;
  const offset = zoneOffsetMs(from, timeZone);
  const time = formatter(timeZone, "time");
  const date = formatter(timeZone, "date");
  const ticks: TimeTick[] = [];
  // Weekly ticks fall on Mondays in the zone (the epoch was a Thursday).
  const anchor = step === 7 * DAY ? 4 * DAY : 0;
  let at = Math.ceil((from + offset - anchor) / step) * step - offset + anchor;
  for (; at <= to; at += step) {
    const local = at + zoneOffsetMs(at, timeZone);
    const midnight = ((local % DAY) + DAY) % DAY === 0;
    ticks.push({ at, label: step >= DAY || midnight ? date.format(at) : time.format(at) });
  }
  return ticks;
}
