import type { Migration } from "./migration.js";

/**
 * What people did to an Alertmanager group from chat (issue 15): a short numeric id for buttons and
 * `silence am:ID`, the Alertmanager silence opsbot created (its id, who, until when) and the ack (who,
 * when). Kept beside `am_group` so the webhook's upsert never touches it; `group_labels` keeps the
 * group's own labels (the silence's matchers).
 */
export const alertmanagerActionsMigration: Migration = {
  id: 132,
  name: "alertmanager: group ids, silences and acks",
  sql: `
    ALTER TABLE am_group ADD COLUMN group_labels TEXT NOT NULL DEFAULT '{}';
    CREATE TABLE am_group_action (
      id                INTEGER PRIMARY KEY AUTOINCREMENT,
      group_key         TEXT NOT NULL UNIQUE,
      silence_id        TEXT,               -- Alertmanager's silenceID, while opsbot's silence holds
      silenced_by_id    TEXT,
      silenced_by_name  TEXT,
      silenced_at       INTEGER,
      silenced_until    INTEGER,
      acked_by_id       TEXT,
      acked_by_name     TEXT,
      acked_at          INTEGER
    );
    INSERT INTO am_group_action (group_key) SELECT group_key FROM am_group ORDER BY rowid;
  `,
};
