import type { ChartPoint } from "./types.js";

export interface SeriesStats {
  min: number | null;
  avg: number | null;
  max: number | null;
  last: number | null;
}

/** min/avg/max/last over the known values (gaps are not zeros). Pure. */
export function seriesStats(points: readonly ChartPoint[]): SeriesStats {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let n = 0;
  let last: number | null = null;
  for (const p of points) {
    if (p.value === null || !Number.isFinite(p.value)) continue;
    min = Math.min(min, p.value);
    max = Math.max(max, p.value);
    sum += p.value;
    n += 1;
    last = p.value;
  }
  return n === 0 ? { min: null, avg: null, max: null, last: null } : { min, avg: sum / n, max, last };
}

/** Runs of points to join with a line: split at unknown values and at spacing above `gapMs`. */
export function segments(points: readonly ChartPoint[], gapMs?: number): { at: number; value: number }[][] {
  const limit = gapMs ?? 2.5 * medianSpacing(points);
  const out: { at: number; value: number }[][] = [];
  let run: { at: number; value: number }[] = [];
  let prevAt: number | undefined;
  for (const p of points) {
    const broken = p.value === null || (prevAt !== undefined && limit > 0 && p.at - prevAt > limit);
    if (broken && run.length > 0) {
      out.push(run);
      run = [];
    }
    if (p.value !== null && Number.isFinite(p.value)) run.push({ at: p.at, value: p.value });
    prevAt = p.at;
  }
  if (run.length > 0) out.push(run);
  return out;
}

function medianSpacing(points: readonly ChartPoint[]): number {
  if (points.length < 2) return 0;
  const gaps: number[] = [];
  for (let i = 1; i < points.length; i++) gaps.push(points[i]!.at - points[i - 1]!.at);
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)]!;
}
