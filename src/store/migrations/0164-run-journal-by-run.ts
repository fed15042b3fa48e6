import type { Migration } from "./migration.js";

/**
 * The run journal keyed by (run_id, seq), WITHOUT ROWID: an entry is stored once, in its run's order,
 * and appending one writes the table's page only — before, every entry also went into the
 * run_journal_run index (a second B-tree page per commit, on every step of every run).
 *
 * `seq` becomes the entry's position in its run's journal, from 1 (it was a table-wide rowid). Readers
 * only ever ordered a run's entries by it, and that order is kept: existing entries are renumbered per
 * run in their old order, all in this migration's transaction, nothing dropped.
 */
export const runJournalByRunMigration: Migration = {
  id: 164,
  name: "orchestration: run journal keyed by (run_id, seq), seq numbered per run",
  sql: `
    CREATE TABLE run_journal_by_run (
      run_id    INTEGER NOT NULL REFERENCES runs(id),
      seq       INTEGER NOT NULL,              -- position in the run's journal, from 1
      at        INTEGER NOT NULL,
      event     TEXT NOT NULL,
      step_key  TEXT,
      attempt   INTEGER,
      detail    TEXT,                          -- JSON, redacted
      PRIMARY KEY (run_id, seq)
    ) WITHOUT ROWID;
    INSERT INTO run_journal_by_run (run_id, seq, at, event, step_key, attempt, detail)
      SELECT run_id, ROW_NUMBER() OVER (PARTITION BY run_id ORDER BY seq), at, event, step_key, attempt, detail
      FROM run_journal;
    DROP TABLE run_journal;
    ALTER TABLE run_journal_by_run RENAME TO run_journal;
  `,
};
