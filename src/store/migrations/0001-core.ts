import type { Migration } from "./migration.js";

export const coreMigration: Migration = {
  id: 1,
  name: "core: audit log",
  sql: `
    CREATE TABLE audit (
      id         INTEGER PRIMARY KEY,
      at         INTEGER NOT NULL,           -- ms since epoch
      user_id    TEXT NOT NULL,
      user_name  TEXT NOT NULL,
      channel    TEXT NOT NULL,
      transport  TEXT NOT NULL,              -- console | slack | cli
      kind       TEXT NOT NULL,              -- command | action
      text       TEXT NOT NULL,              -- redacted
      command    TEXT,                       -- resolved command name or action id
      outcome    TEXT NOT NULL,              -- ok | user_error | denied | unknown_command | error
      detail     TEXT
    );
    CREATE INDEX audit_at ON audit(at);
    CREATE INDEX audit_user ON audit(user_id, at);
  `,
};
