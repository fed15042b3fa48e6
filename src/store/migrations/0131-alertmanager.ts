import type { Migration } from "./migration.js";

/**
 * Alertmanager groups (issue 15): one row per Alertmanager groupKey — its alerts by fingerprint, the
 * chat message it is shown in, and the hash of what that message last showed — so a redelivery, or
 * a restart in between, updates the one message instead of posting another.
 */
export const alertmanagerMigration: Migration = {
  id: 131,
  name: "alertmanager: webhook groups and their messages",
  sql: `
    CREATE TABLE am_group (
      group_key     TEXT PRIMARY KEY,
      receiver      TEXT NOT NULL,
      status        TEXT NOT NULL CHECK (status IN ('firing','resolved')),
      labels        TEXT NOT NULL,        -- JSON: the group's common labels
      annotations   TEXT NOT NULL,        -- JSON: common annotations
      alerts        TEXT NOT NULL,        -- JSON: fingerprint → { status, labels, annotations, startsAt, endsAt }
      channel       TEXT NOT NULL,
      ts            TEXT,                 -- chat message, once posted
      shown_hash    TEXT,                 -- hash of the content last posted/updated
      updated_at    INTEGER NOT NULL
    );
  `,
};
