import type { Migration } from "./migration.js";

/**
 * Slack messages that did not fit the outbox's memory bound while Slack was unreachable, and whatever
 * was still queued at shutdown. Delivered in `seq` order (per channel lane) when Slack answers again,
 * also after a restart; a row is deleted once Slack has taken it.
 */
export const slackOutboxSpillMigration: Migration = {
  id: 171,
  name: "slack: outbox spill (messages beyond the memory bound, and what was queued at shutdown)",
  sql: `
    CREATE TABLE slack_outbox_spill (
      id            INTEGER PRIMARY KEY AUTOINCREMENT,
      seq           INTEGER NOT NULL,
      lane          TEXT NOT NULL,
      method        TEXT NOT NULL,
      coalesce_key  TEXT,
      priority      INTEGER NOT NULL DEFAULT 0,
      payload       TEXT NOT NULL,
      created_at    INTEGER NOT NULL
    );
    CREATE INDEX slack_outbox_spill_seq ON slack_outbox_spill(seq);
  `,
};
