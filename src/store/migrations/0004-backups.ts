import type { Migration } from "./migration.js";

/**
 * Config backups: content-addressed versions per device (a new row only when the normalized config
 * changed) and the state of each device's last attempt. Change-log rows (kinds `backup`,
 * `backup_changed`) go to the management change_log table of migration 2.
 */
export const backupsMigration: Migration = {
  id: 4,
  name: "backups: config versions and backup state",
  sql: `
    CREATE TABLE backup_version (
      id          INTEGER PRIMARY KEY AUTOINCREMENT,
      device      TEXT NOT NULL,
      taken_at    INTEGER NOT NULL,             -- ms since epoch
      sha256      TEXT NOT NULL,                -- of content
      size_bytes  INTEGER NOT NULL,
      line_count  INTEGER NOT NULL,
      content     TEXT NOT NULL                 -- normalized: ignored lines dropped, secrets masked
    );
    CREATE INDEX backup_version_device ON backup_version(device, id);

    CREATE TABLE backup_state (
      device               TEXT PRIMARY KEY,
      status               TEXT NOT NULL,       -- ok | failed
      last_attempt_at      INTEGER NOT NULL,
      last_success_at      INTEGER,             -- last backup that read the config (changed or not)
      last_changed_at      INTEGER,             -- last backup that stored a new version
      last_error           TEXT,
      consecutive_failures INTEGER NOT NULL DEFAULT 0
    );
  `,
};
