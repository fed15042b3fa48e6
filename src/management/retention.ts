import type { RetentionRule } from "../store/prune.js";

/**
 * What ages out of management's tables. The change log is kept for the alert engine until it has
 * read it (never past its cursor); open alerts, unposted notes and active silences never go, nor an
 * Alertmanager group that still fires or whose silence still holds.
 * Config backups are already bounded by `keep` (the backup service prunes them per device).
 */
export function managementRetentionRules(
  now: number,
  r: { changeLogMs: number; alertHistoryMs: number; removedDevicesMs: number },
): RetentionRule[] {
  const alertCutoff = now - r.alertHistoryMs;
  return [
    {
      label: `change log entries older than the change_log retention`,
      table: "change_log",
      key: "id",
      select: `SELECT id FROM change_log WHERE at < ?
                 AND id <= coalesce((SELECT min(last_id) FROM alert_cursor), 9223372036854775807)
               ORDER BY id LIMIT ?`,
      params: [now - r.changeLogMs],
    },
    {
      label: "notes of alert messages closed before the alert_history retention",
      table: "alert_note",
      key: "id",
      select: `SELECT n.id FROM alert_note n JOIN alert_group g ON g.id = n.group_id
               WHERE g.closed_at < ? AND n.posted = 1 ORDER BY n.id LIMIT ?`,
      params: [alertCutoff],
    },
    {
      label: "alerts resolved before the alert_history retention",
      table: "alert",
      key: "id",
      select: "SELECT id FROM alert WHERE status = 'resolved' AND resolved_at < ? ORDER BY id LIMIT ?",
      params: [alertCutoff],
    },
    {
      label: "closed alert messages with nothing left in them",
      table: "alert_group",
      key: "id",
      select: `SELECT g.id FROM alert_group g WHERE g.closed_at < ?
                 AND NOT EXISTS (SELECT 1 FROM alert a WHERE a.group_id = g.id)
                 AND NOT EXISTS (SELECT 1 FROM alert_note n WHERE n.group_id = g.id)
               ORDER BY g.id LIMIT ?`,
      params: [alertCutoff],
    },
    {
      label: "silences that ended before the alert_history retention",
      table: "alert_silence",
      key: "id",
      select: "SELECT id FROM alert_silence WHERE coalesce(removed_at, expires_at) < ? ORDER BY id LIMIT ?",
      params: [alertCutoff],
    },
    {
      label: "actions on Alertmanager groups resolved before the alert_history retention",
      table: "am_group_action",
      key: "id",
      select: `SELECT a.id FROM am_group_action a JOIN am_group g USING (group_key)
               WHERE g.status = 'resolved' AND g.updated_at < ?
                 AND (a.silence_id IS NULL OR coalesce(a.silence_ended_at, a.silenced_until) < ?)
               ORDER BY a.id LIMIT ?`,
      params: [alertCutoff, alertCutoff],
    },
    {
      label: "Alertmanager groups resolved before the alert_history retention",
      table: "am_group",
      key: "group_key",
      // The same test as the rule above keeps: a group goes only with no action row left to keep.
      select: `SELECT g.group_key FROM am_group g WHERE g.status = 'resolved' AND g.updated_at < ?
                 AND NOT EXISTS (SELECT 1 FROM am_group_action a WHERE a.group_key = g.group_key
                   AND a.silence_id IS NOT NULL AND coalesce(a.silence_ended_at, a.silenced_until) >= ?)
               ORDER BY g.group_key LIMIT ?`,
      params: [alertCutoff, alertCutoff],
    },
    {
      label: "devices removed from the config longer ago than removed_devices (with their cached state)",
      table: "device_state",
      key: "name",
      select: "SELECT name FROM device_state WHERE removed_at < ? ORDER BY name LIMIT ?",
      params: [now - r.removedDevicesMs],
    },
  ];
}
