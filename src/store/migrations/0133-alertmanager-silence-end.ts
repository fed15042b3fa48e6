import type { Migration } from "./migration.js";

/**
 * How an Alertmanager silence opsbot created ended (issue 15): it is kept on the group (who, until when)
 * with the time it ended and how — `expired` (its end time passed), `expired_in_am` (someone expired it in
 * Alertmanager itself) or `gone` (Alertmanager no longer lists it). Set once, by the owner's silence sync,
 * so the group's message says so exactly once, also across restarts.
 */
export const alertmanagerSilenceEndMigration: Migration = {
  id: 133,
  name: "alertmanager: how a silence ended",
  sql: `
    ALTER TABLE am_group_action ADD COLUMN silence_ended_at INTEGER;
    ALTER TABLE am_group_action ADD COLUMN silence_end TEXT;
  `,
};
