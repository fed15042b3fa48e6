import type { Migration } from "./migration.js";

/**
 * One owner per database (src/runtime/owner.ts): the lease row the long-running bot holds and renews,
 * taken over by another process only once its heartbeat is older than the stale window. The same
 * contract (compare-and-set on holder + expiry) works in a shared database for several replicas.
 *
 * Devices are never deleted because one process's config lacks them: `removed_at` marks a device that
 * left the config; answers leave it out, its history stays until retention removes it.
 */
export const ownerMigration: Migration = {
  id: 100,
  name: "owner lease; devices removed from the config are marked, not deleted",
  sql: `
    CREATE TABLE owner_lease (
      name          TEXT PRIMARY KEY,          -- 'owner': what the holder owns
      holder        TEXT NOT NULL,             -- random id of the holding process
      pid           INTEGER NOT NULL,
      host          TEXT NOT NULL,
      mode          TEXT NOT NULL,             -- start | demo | ask | poll
      acquired_at   INTEGER NOT NULL,          -- ms since epoch
      heartbeat_at  INTEGER NOT NULL,
      expires_at    INTEGER NOT NULL,          -- heartbeat_at + stale window
      socket        TEXT                       -- the holder's control socket, when it listens on one
    );
    ALTER TABLE device_state ADD COLUMN removed_at INTEGER;   -- NULL: in the config
  `,
};
