import type { Migration } from "./migration.js";

/**
 * One row the step intent log's rotation commits durably (synchronous=FULL) before it truncates the
 * log: that commit puts every earlier journal commit on disk. It also tells when the log was last
 * emptied and how often.
 */
export const intentLogRotationsMigration: Migration = {
  id: 190,
  name: "orchestration: step intent log rotations (the durable point before the log is truncated)",
  sql: `
    CREATE TABLE intent_log_rotations (
      id          INTEGER PRIMARY KEY CHECK (id = 1),
      rotated_at  INTEGER NOT NULL,
      rotations   INTEGER NOT NULL
    );
  `,
};
