import * as z from "zod";
import { parseDuration } from "../lib/clock.js";

/**
 * `retention.series`: the time series' tiers (raw polls, then downsampled buckets). The rest of
 * `retention:` (change log, runs, audit…) lives in runtime-schema.ts, which includes this.
 */
const duration = z
  .string()
  .refine(
    (v) => parseDuration(v) !== undefined && parseDuration(v)! > 0,
    "a duration such as 5m, 48h or 30d",
  );

const rollupSchema = z
  .object({
    /** Bucket width: one average/min/max per bucket and series. */
    step: duration,
    /** How long buckets of this width are kept. */
    keep: duration,
  })
  .strict();

export const SERIES_RETENTION_DEFAULTS = {
  raw: "48h",
  rollups: [
    { step: "5m", keep: "30d" },
    { step: "1h", keep: "365d" },
  ],
};

/** Port traffic/error rates, drive temperature and sectors, device reachability and poll time. */
export const seriesRetentionSchema = z
  .object({
    /** Every poll's value is kept this long. */
    raw: duration.default(SERIES_RETENTION_DEFAULTS.raw),
    /** Downsampled tiers, each written as the poll is recorded; finest first. */
    rollups: z.array(rollupSchema).max(4).default(SERIES_RETENTION_DEFAULTS.rollups),
  })
  .strict()
  .superRefine((v, ctx) => {
    let prev = 0;
    v.rollups.forEach((r, i) => {
      const step = parseDuration(r.step)!;
      const keep = parseDuration(r.keep)!;
      if (step < 60_000 || step % 60_000 !== 0)
        ctx.addIssue({ code: "custom", path: ["rollups", i, "step"], message: "a whole number of minutes" });
      if (step <= prev)
        ctx.addIssue({
          code: "custom",
          path: ["rollups", i, "step"],
          message: "steps must grow, finest first",
        });
      if (keep < step)
        ctx.addIssue({ code: "custom", path: ["rollups", i, "keep"], message: "keep at least one step" });
      prev = step;
    });
  });

export type SeriesRetentionConfig = z.infer<typeof seriesRetentionSchema>;
