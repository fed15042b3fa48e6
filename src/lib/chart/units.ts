/** Human units for chart axes and legends. Pure. */
const PREFIXES = ["", "k", "M", "G", "T", "P"];

/** Units that read better with SI prefixes (1.2 Gbit/s, 3.4k/s); others print as they are (41°C, 340 ms). */
const SCALED = new Set(["bit/s", "/s", "B", ""]);

export function formatValue(value: number | null, unit: string): string {
  if (value === null || !Number.isFinite(value)) return "—";
  const glue = unit === "" || unit.startsWith("/") || unit === "°C" ? "" : " ";
  if (!SCALED.has(unit)) return `${round(value)}${glue}${unit}`;
  let v = Math.abs(value);
  let i = 0;
  while (v >= 1000 && i < PREFIXES.length - 1) {
    v /= 1000;
    i += 1;
  }
  const sign = value < 0 ? "-" : "";
  return `${sign}${round(v)}${glue}${PREFIXES[i]}${unit}`;
}

function round(v: number): string {
  if (v === 0) return "0";
  const abs = Math.abs(v);
  if (abs >= 100) return v.toFixed(0);
  if (abs >= 10) return v.toFixed(1).replace(/\.0$/, "");
  if (abs >= 1) return v.toFixed(2).replace(/\.?0+$/, "");
  if (abs >= 0.01) return v.toFixed(3).replace(/\.?0+$/, "");
  return v.toExponential(1);
}

/** An axis from 0 (or the data's minimum when negative) to a round maximum, with 3–6 ticks. */
export function niceScale(min: number, max: number): { lo: number; hi: number; ticks: number[] } {
  const lo = Math.min(0, min);
  // Headroom: a flat series at its maximum must not sit on the plot's top border.
  let hi = Math.max(max > 0 ? max * 1.05 : max, lo);
  if (hi === lo) hi = lo + 1;
  const raw = (hi - lo) / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => (hi - lo) / s <= 5) ?? 10 * mag;
  const top = Math.ceil(hi / step) * step;
  const bottom = Math.floor(lo / step) * step;
  const ticks: number[] = [];
  for (let t = bottom; t <= top + step / 1e6; t += step) ticks.push(Number(t.toPrecision(12)));
  return { lo: bottom, hi: top, ticks };
}
