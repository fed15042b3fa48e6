import type { Migration } from "./migration.js";

/**
 * Orchestration: every runbook version seen (content-addressed), runs with their status machine,
 * one row per step instance (the checklist), the append-only journal, step output, approvals with
 * one vote per person, and run locks. Secret parameter values are never written here.
 */
export const orchestrationMigration: Migration = {
  id: 3,
  name: "orchestration: runbook versions, runs, journal, output, approvals, locks",
  sql: `
    CREATE TABLE runbook_versions (
      hash          TEXT PRIMARY KEY,          -- sha256 of the file content
      name          TEXT NOT NULL,
      file          TEXT NOT NULL,
      content       TEXT NOT NULL,
      first_seen_at INTEGER NOT NULL
    );
    CREATE INDEX runbook_versions_name ON runbook_versions(name, first_seen_at);

    CREATE TABLE runs (
      id                INTEGER PRIMARY KEY,
      runbook           TEXT NOT NULL,
      runbook_hash      TEXT NOT NULL REFERENCES runbook_versions(hash),
      status            TEXT NOT NULL CHECK (status IN ('pending','approved','running','succeeded','failed',
                          'cancelled','interrupted','rejected','expired','aborted')),
      params            TEXT NOT NULL,         -- JSON; secret values masked
      secret_params     TEXT NOT NULL,         -- JSON array of parameter names
      targets           TEXT NOT NULL,         -- JSON array of device names
      locks             TEXT NOT NULL,         -- JSON array of lock keys
      requested_by      TEXT NOT NULL,
      requested_by_name TEXT NOT NULL,
      channel           TEXT NOT NULL,
      thread_ts         TEXT,
      requested_at      INTEGER NOT NULL,
      started_at        INTEGER,
      finished_at       INTEGER,
      cancel_requested_by TEXT,
      status_reason     TEXT,                  -- why: waiting for a lock, what failed, who aborted
      updated_at        INTEGER NOT NULL
    );
    CREATE INDEX runs_status ON runs(status, id);

    CREATE TABLE run_steps (
      run_id        INTEGER NOT NULL REFERENCES runs(id),
      key           TEXT NOT NULL,             -- step id, "@target" per for_each target
      step_id       TEXT NOT NULL,
      name          TEXT NOT NULL,
      kind          TEXT NOT NULL,
      target        TEXT,
      ordinal       INTEGER NOT NULL,          -- plan order, for rendering
      rollback_of   TEXT,                      -- key of the step this rolls back
      status        TEXT NOT NULL CHECK (status IN ('pending','running','waiting','succeeded','failed','skipped',
                      'cancelled','interrupted')),
      attempt       INTEGER NOT NULL DEFAULT 0,
      command       TEXT,                      -- as rendered, secrets masked
      started_at    INTEGER,
      finished_at   INTEGER,
      duration_ms   INTEGER,
      exit_code     INTEGER,
      error         TEXT,
      output_bytes  INTEGER NOT NULL DEFAULT 0,
      output_truncated INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (run_id, key)
    ) WITHOUT ROWID;

    CREATE TABLE run_journal (
      seq       INTEGER PRIMARY KEY,
      run_id    INTEGER NOT NULL REFERENCES runs(id),
      at        INTEGER NOT NULL,
      event     TEXT NOT NULL,
      step_key  TEXT,
      attempt   INTEGER,
      detail    TEXT                           -- JSON, redacted
    );
    CREATE INDEX run_journal_run ON run_journal(run_id, seq);

    CREATE TABLE run_output (
      seq       INTEGER PRIMARY KEY,
      run_id    INTEGER NOT NULL REFERENCES runs(id),
      step_key  TEXT NOT NULL,
      attempt   INTEGER NOT NULL,
      stream    TEXT NOT NULL CHECK (stream IN ('stdout','stderr')),
      at        INTEGER NOT NULL,
      text      TEXT NOT NULL                  -- redacted
    );
    CREATE INDEX run_output_step ON run_output(run_id, step_key, seq);

    CREATE TABLE approvals (
      id            INTEGER PRIMARY KEY,
      run_id        INTEGER NOT NULL REFERENCES runs(id),
      step_key      TEXT,                      -- NULL: the run's own approval; else a mid-run approval step
      round         INTEGER NOT NULL DEFAULT 1,-- a resume asks again
      status        TEXT NOT NULL CHECK (status IN ('pending','approved','rejected','expired','cancelled')),
      approvers     TEXT NOT NULL,             -- JSON array: role:x | user:x
      min_approvals INTEGER NOT NULL,
      allow_self    INTEGER NOT NULL,
      requested_by  TEXT NOT NULL,
      requested_at  INTEGER NOT NULL,
      expires_at    INTEGER NOT NULL,
      decided_at    INTEGER,
      decided_by    TEXT,                      -- names of who decided, for "already approved by …"
      message_channel TEXT,                    -- where the buttons were posted (chat reporter)
      message_ts    TEXT
    );
    CREATE INDEX approvals_pending ON approvals(status, expires_at);
    CREATE INDEX approvals_run ON approvals(run_id);

    CREATE TABLE approval_votes (
      approval_id INTEGER NOT NULL REFERENCES approvals(id),
      user_id     TEXT NOT NULL,
      user_name   TEXT NOT NULL,
      decision    TEXT NOT NULL CHECK (decision IN ('approve','reject')),
      at          INTEGER NOT NULL,
      PRIMARY KEY (approval_id, user_id)
    );

    CREATE TABLE run_locks (
      key         TEXT PRIMARY KEY,
      run_id      INTEGER NOT NULL REFERENCES runs(id),
      acquired_at INTEGER NOT NULL
    );
  `,
};
