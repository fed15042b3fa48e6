import type { RetentionRule } from "../../store/prune.js";

/**
 * What the daily prune removes from the time series. Live series prune themselves as polls are
 * written (series-store.ts); a device that left the cache (removed from the config and past
 * `removed_devices`) is never polled again, so its series go here, points first, then the series rows.
 */
export function historyRetentionRules(): RetentionRule[] {
  const orphans =
    "SELECT id FROM series WHERE device NOT IN (SELECT name FROM device_state) ORDER BY id LIMIT ?";
  return [
    {
      label: "time series points of devices no longer in the cache",
      table: "series_raw",
      key: "series_id",
      select: orphans,
      params: [],
    },
    {
      label: "downsampled time series of devices no longer in the cache",
      table: "series_rollup",
      key: "series_id",
      select: orphans,
      params: [],
    },
    {
      label: "time series of devices no longer in the cache",
      table: "series",
      key: "id",
      select: orphans,
      params: [],
    },
  ];
}
