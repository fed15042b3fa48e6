import type { Migration } from "./migration.js";

/**
 * Time series (src/management/history): one row per series (device + object + metric), every poll's
 * value for `retention.series.raw`, and downsampled buckets (count, sum, min, max) per configured step.
 * All three are written in the poll's own transaction; queries only read.
 *
 * A NULL raw value marks a poll that found the device unreachable: charts draw a gap there instead of
 * joining the points around it. A bucket with n = 0 holds only such polls.
 * The change-log index serves the fleet-wide `flaps` ranking.
 * Primary keys are the read order (one series, a time range), so a chart is one index range scan.
 */
export const historyMigration: Migration = {
  id: 161,
  name: "history: time series with downsampling",
  sql: `
    CREATE TABLE series (
      id      INTEGER PRIMARY KEY,
      device  TEXT NOT NULL,
      object  TEXT NOT NULL,                  -- port name, drive key, '' for the device itself
      metric  TEXT NOT NULL,                  -- in_bps | out_bps | errors_ps | discards_ps | temperature_c | …
      UNIQUE (device, object, metric)
    );

    CREATE TABLE series_raw (
      series_id INTEGER NOT NULL,
      at        INTEGER NOT NULL,             -- ms since epoch, the poll's time
      value     REAL,                         -- NULL: device unreachable at this poll
      PRIMARY KEY (series_id, at)
    ) WITHOUT ROWID;

    CREATE TABLE series_rollup (
      series_id INTEGER NOT NULL,
      step_s    INTEGER NOT NULL,             -- bucket width in seconds
      at        INTEGER NOT NULL,             -- bucket start, ms since epoch
      n         INTEGER NOT NULL,             -- non-null values in the bucket
      sum       REAL,
      min       REAL,
      max       REAL,
      PRIMARY KEY (series_id, step_s, at)
    ) WITHOUT ROWID;

    -- flaps [since]: port changes fleet-wide in a time window, without reading the whole log.
    CREATE INDEX change_log_kind_at ON change_log(kind, at);
  `,
};
