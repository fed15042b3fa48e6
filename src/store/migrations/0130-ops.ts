import type { Migration } from "./migration.js";

/**
 * Ops (issue 15): the readiness probe's row (/readyz proves the store takes a write, not just a read)
 * and the status of each fleet data source (Prometheus), which `fleet` shows with its last error.
 */
export const opsMigration: Migration = {
  id: 130,
  name: "ops: readiness probe, fleet data source status",
  sql: `
    CREATE TABLE ops_probe (
      id  INTEGER PRIMARY KEY CHECK (id = 1),
      at  INTEGER NOT NULL
    );

    CREATE TABLE fleet_source_status (
      name         TEXT PRIMARY KEY,
      ok           INTEGER NOT NULL,
      error        TEXT,
      checked_at   INTEGER NOT NULL,
      last_ok_at   INTEGER,
      devices      INTEGER NOT NULL DEFAULT 0
    );
  `,
};
