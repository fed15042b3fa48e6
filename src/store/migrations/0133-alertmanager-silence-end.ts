import type { Migration } from "./migration.js";

/**
 * How an Alertmanager silence opsbot created ended (issue 15): it is kept on the group (who, until when)
 * with the time it ended and how — `expired` (its end time passed), `expired_in_am` (someone expired it in
 * Alertmanager itself) or `gone` (Alertmanager no longer lists it). Set once, by the owner's silence sync,
 * so the group's message says so exactly once, also across restarts. And how many alerts of the group
 * Alertmanager's last delivery left out (its webhook `max_alerts`), so the message never reads as whole.
 */
export const alertmanagerSilenceEndMigration: Migration = {
  id: 133,
  name: "alertmanager: how a silence ended, alerts left out",
  sql: `
    ALTER TABLE am_group_action ADD COLUMN silence_ended_at INTEGER;
    ALTER TABLE am_group_action ADD COLUMN silence_end TEXT;
    ALTER TABLE am_group ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0;
  `,
};
