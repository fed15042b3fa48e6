import type { Migration } from "./migration.js";

/**
 * Alerts (src/management/alerts): one row per alert key (device + rule + object), reopened rather than
 * duplicated; one chat message per group (device + rule) while any of its alerts is open; thread notes
 * and dirty groups act as an outbox so a crash between the store and the chat heals on the next pass;
 * the engine's change-log cursor lives here, written in the same transaction as the alerts it produced.
 */
export const alertsMigration: Migration = {
  id: 6,
  name: "alerts: alerts, message groups, notes, silences, cursor",
  sql: `
    CREATE TABLE alert_cursor (
      consumer  TEXT PRIMARY KEY,
      last_id   INTEGER NOT NULL
    );

    CREATE TABLE alert_group (
      id          INTEGER PRIMARY KEY AUTOINCREMENT,
      device      TEXT NOT NULL,
      rule        TEXT NOT NULL,
      channel     TEXT NOT NULL,              -- transport channel
      ts          TEXT,                       -- null until posted
      opened_at   INTEGER NOT NULL,
      closed_at   INTEGER,                    -- every alert of the group resolved
      dirty       INTEGER NOT NULL DEFAULT 1  -- message must be (re-)rendered
    );
    CREATE INDEX alert_group_open ON alert_group(device, rule) WHERE closed_at IS NULL;
    CREATE INDEX alert_group_dirty ON alert_group(id) WHERE dirty = 1;

    CREATE TABLE alert (
      id                INTEGER PRIMARY KEY AUTOINCREMENT,
      key               TEXT NOT NULL UNIQUE,   -- device \u0001 rule \u0001 object
      device            TEXT NOT NULL,
      rule              TEXT NOT NULL,
      object            TEXT NOT NULL,
      severity          TEXT NOT NULL,          -- info | warning | critical
      status            TEXT NOT NULL,          -- pending | firing | flapping | resolved
      condition         TEXT NOT NULL,          -- bad | ok: the latest observation
      value             TEXT NOT NULL,
      since             INTEGER NOT NULL,       -- bad since (this occurrence)
      fired_at          INTEGER,
      resolved_at       INTEGER,
      notified          INTEGER NOT NULL DEFAULT 0,
      last_notified_at  INTEGER,
      transitions       TEXT NOT NULL DEFAULT '[]', -- JSON: recent condition changes (ms), for flapping
      acked_by          TEXT,
      acked_at          INTEGER,
      acked_severity    TEXT,
      suppressed        TEXT,                   -- "silence 3: reason" | "maintenance sat-patch" | null
      group_id          INTEGER REFERENCES alert_group(id),
      detail            TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX alert_active ON alert(device) WHERE status <> 'resolved';
    CREATE INDEX alert_group_members ON alert(group_id);

    CREATE TABLE alert_note (
      id        INTEGER PRIMARY KEY AUTOINCREMENT,
      group_id  INTEGER NOT NULL REFERENCES alert_group(id),
      text      TEXT NOT NULL,
      posted    INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX alert_note_unposted ON alert_note(id) WHERE posted = 0;

    -- Last error-counter sample per watched port, for the error-rate rule (counters are not in the log).
    CREATE TABLE alert_error_sample (
      device  TEXT NOT NULL,
      port    TEXT NOT NULL,
      errors  INTEGER NOT NULL,               -- ifInErrors + ifOutErrors
      at      INTEGER NOT NULL,
      PRIMARY KEY (device, port)
    ) WITHOUT ROWID;

    CREATE TABLE alert_silence (
      id          INTEGER PRIMARY KEY AUTOINCREMENT,
      target_kind TEXT NOT NULL,              -- device | tag | rule
      target      TEXT NOT NULL,
      reason      TEXT NOT NULL,
      created_by  TEXT NOT NULL,
      created_at  INTEGER NOT NULL,
      expires_at  INTEGER NOT NULL,
      removed_by  TEXT,
      removed_at  INTEGER
    );
  `,
};
