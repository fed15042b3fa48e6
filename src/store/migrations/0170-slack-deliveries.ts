import type { Migration } from "./migration.js";

/**
 * Slack delivery keys (request signatures, event ids, trigger ids) seen in the last few minutes, so a
 * captured request replayed — or a retry delivered — after a restart is still recognised. Pruned to
 * Slack's window; nothing here outlives ten minutes.
 */
export const slackDeliveriesMigration: Migration = {
  id: 170,
  name: "slack: delivery keys seen (replay and retry memory across restarts)",
  sql: `
    CREATE TABLE slack_deliveries (
      key      TEXT PRIMARY KEY,
      seen_at  INTEGER NOT NULL
    );
    CREATE INDEX slack_deliveries_seen_at ON slack_deliveries(seen_at);
  `,
};
