import type { RetentionRule } from "../../store/prune.js";

/**
 * What the daily prune removes from the time series. Live series prune themselves as polls are
 * written (series-store.ts); a device that left the cache (removed from the config and past
 * `removed_devices`) is never polled again, so its series go here: its blocks first, then its series
 * and its device id.
 */
export function historyRetentionRules(): RetentionRule[] {
  const orphanDevices =
    "SELECT id FROM series_device WHERE name NOT IN (SELECT name FROM device_state) ORDER BY id LIMIT ?";
  return [
    {
      label: "time series blocks of devices no longer in the cache",
      table: "series_block",
      key: "device_id",
      select: orphanDevices,
      params: [],
    },
    {
      label: "time series of devices no longer in the cache",
      table: "series",
      key: "id",
      select: "SELECT id FROM series WHERE device NOT IN (SELECT name FROM device_state) ORDER BY id LIMIT ?",
      params: [],
    },
    {
      label: "time series device ids of devices no longer in the cache",
      table: "series_device",
      key: "id",
      select: orphanDevices,
      params: [],
    },
  ];
}
