import type { SeriesRetentionConfig } from "../../config/series-retention-schema.js";
import { parseDuration } from "../../lib/clock.js";

/** The configured series tiers in milliseconds: raw polls, then rollups finest first. */
export interface SeriesTiers {
  rawKeepMs: number;
  rollups: { stepMs: number; keepMs: number }[];
}

export function seriesTiers(config: SeriesRetentionConfig): SeriesTiers {
  return {
    rawKeepMs: parseDuration(config.raw)!,
    rollups: config.rollups.map((r) => ({ stepMs: parseDuration(r.step)!, keepMs: parseDuration(r.keep)! })),
  };
}

/** Start of the bucket of width `stepMs` holding `at` (buckets are aligned to the epoch). */
export const bucketStart = (at: number, stepMs: number) => at - (((at % stepMs) + stepMs) % stepMs);
