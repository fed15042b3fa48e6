import type { Migration } from "./migration.js";

/**
 * Time series stored small (issue 16, replacing 161's row per value): one row per device, tier and
 * block of time holds every series of that device as a compact BLOB (series-block.ts: integer series
 * ids, offsets instead of timestamps, whole numbers as varints, a repeated value in one byte, a gap
 * as its own tag). A poll rewrites one raw block and one bucket block per rollup tier: a handful of
 * statements per poll instead of several per series.
 *
 * Existing 161 rows are converted by the series store the first time it opens (it needs the block
 * encoder, which SQL does not have) and the old tables are dropped then.
 */
export const seriesBlocksMigration: Migration = {
  id: 140,
  name: "history: series stored in compact blocks per device",
  sql: `
    CREATE TABLE series_device (
      id    INTEGER PRIMARY KEY,
      name  TEXT NOT NULL UNIQUE
    );

    CREATE TABLE series_block (
      device_id INTEGER NOT NULL,
      step_s    INTEGER NOT NULL,             -- 0: raw polls, else the rollup's bucket width
      start     INTEGER NOT NULL,             -- ms since epoch; every record is in [start, start + span)
      end_at    INTEGER NOT NULL,             -- the newest record's time: the block ages out after it
      data      BLOB NOT NULL,
      PRIMARY KEY (device_id, step_s, start)
    );
  `,
};
