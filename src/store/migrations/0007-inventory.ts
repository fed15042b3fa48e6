import type { Migration } from "./migration.js";

/**
 * Inventory sources (NetBox, Ansible): each source's last good device list, kept when a refresh
 * fails, and the device names last applied, so a refresh reports what it added or removed once.
 */
export const inventoryMigration: Migration = {
  id: 7,
  name: "inventory: source snapshots and applied device names",
  sql: `
    CREATE TABLE inventory_source (
      source        TEXT PRIMARY KEY,          -- netbox | ansible
      location      TEXT NOT NULL,             -- URL, path or command (never a secret)
      devices       TEXT NOT NULL DEFAULT '[]', -- JSON: the last good list
      skipped       TEXT NOT NULL DEFAULT '[]', -- JSON: entries the source returned that opsbot could not use
      fetched_at    INTEGER,                   -- when the kept list was fetched
      attempted_at  INTEGER,                   -- when the last attempt ended
      error         TEXT                       -- the last attempt's error; NULL when it succeeded
    );

    CREATE TABLE inventory_applied (
      name    TEXT PRIMARY KEY,
      source  TEXT NOT NULL
    );
  `,
};
