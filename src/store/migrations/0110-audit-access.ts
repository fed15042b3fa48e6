import type { Migration } from "./migration.js";

/**
 * Issue 13 (who may do what): the operating-system user behind an impersonated request (`as bob`,
 * `ask --as`), the run a row is about, and indexes for the audit filters (command, outcome, channel).
 */
export const auditAccessMigration: Migration = {
  id: 110,
  name: "audit: acting_for, filter indexes",
  sql: `
    ALTER TABLE audit ADD COLUMN acting_for TEXT;
    ALTER TABLE audit ADD COLUMN run_id INTEGER;
    CREATE INDEX audit_run ON audit(run_id, at);
    CREATE INDEX audit_command ON audit(command, at);
    CREATE INDEX audit_outcome ON audit(outcome, at);
  `,
};
