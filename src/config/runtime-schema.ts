import * as z from "zod";
import { SERIES_RETENTION_DEFAULTS, seriesRetentionSchema } from "./series-retention-schema.js";

/**
 * How the running bot lives: the owner lease and control socket (`owner:`) and how long stored
 * history is kept (`retention:`, with `retention.series` from series-retention-schema.ts).
 */
const duration = z.string().regex(/^(\d+(ms|s|m|h|d|w))+$/, "a duration such as 30s, 5m, 90d or 1h30m");

export const ownerSchema = z
  .object({
    /** A holder whose heartbeat is older than this may be replaced (after a crash or kill -9). */
    stale_after: duration.default("15s"),
    /** How often the holder renews its lease; well under stale_after. */
    heartbeat: duration.default("3s"),
    /** The control socket `opsbot ask` uses; default: the database path + ".sock". */
    socket: z.string().min(1).optional(),
  })
  .strict();

export const OWNER_DEFAULTS = { stale_after: "15s", heartbeat: "3s" };

export const retentionSchema = z
  .object({
    /** Pruning on or off (off keeps everything, as before this setting existed). */
    enabled: z.boolean().default(true),
    /** Cron schedule of the owner's daily prune. */
    schedule: z.string().default("17 3 * * *"),
    /** Device change log (what answers call "recent changes"; alerts have already read it). */
    change_log: duration.default("90d"),
    /** Step output of ended runs. The run, its steps and journal stay until `run_journal`. */
    run_output: duration.default("30d"),
    /** Runs that ended, with their steps, journal, approvals and votes. */
    run_journal: duration.default("365d"),
    /** Resolved alerts, their notes, error samples and expired silences. */
    alert_history: duration.default("180d"),
    /** The audit log of commands and decisions. */
    audit: duration.default("365d"),
    /** Devices removed from the config: their cached state and history go after this long. */
    removed_devices: duration.default("30d"),
    /** Time series: raw polls and downsampled tiers, pruned as each poll is written (docs/history.md). */
    series: seriesRetentionSchema.default(SERIES_RETENTION_DEFAULTS),
    /** Rows deleted per transaction: small, so the write lock is never held for long. */
    batch: z.number().int().min(10).max(100_000).default(1000),
  })
  .strict();

export const RETENTION_DEFAULTS = {
  enabled: true,
  schedule: "17 3 * * *",
  change_log: "90d",
  run_output: "30d",
  run_journal: "365d",
  alert_history: "180d",
  audit: "365d",
  removed_devices: "30d",
  series: SERIES_RETENTION_DEFAULTS,
  batch: 1000,
};

export type OwnerConfig = z.infer<typeof ownerSchema>;
export type RetentionConfig = z.infer<typeof retentionSchema>;
