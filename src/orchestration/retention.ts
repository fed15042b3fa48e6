import type { RetentionRule } from "../store/prune.js";

/** Runs that ended for good. `interrupted` is not among them: its outcome is unknown, it keeps its locks. */
const ENDED = "('succeeded','failed','cancelled','rejected','expired','aborted')";
const endedBefore = (alias: string) =>
  `${alias}.status IN ${ENDED} AND coalesce(${alias}.finished_at, ${alias}.updated_at) < ?`;

/**
 * What ages out of orchestration's tables: step output of runs that ended longer ago than
 * `run_output`, and whole runs (steps, journal, approvals, votes) that ended longer ago than
 * `run_journal`. A run that has not ended is never touched; neither is anything younger.
 */
export function orchestrationRetentionRules(
  now: number,
  r: { runOutputMs: number; runJournalMs: number },
): RetentionRule[] {
  const outputCutoff = now - r.runOutputMs;
  const journalCutoff = now - r.runJournalMs;
  // Children go before their run, a batch of runs at a time (run_steps has no rowid).
  const oldRunsWith = (table: string) =>
    `SELECT r.id FROM runs r WHERE ${endedBefore("r")}
       AND EXISTS (SELECT 1 FROM ${table} c WHERE c.run_id = r.id) ORDER BY r.id LIMIT ?`;
  return [
    {
      label: "step output of runs that ended before the run_output retention",
      table: "run_output",
      key: "seq",
      select: `SELECT o.seq FROM run_output o JOIN runs r ON r.id = o.run_id WHERE ${endedBefore("r")}
               ORDER BY o.seq LIMIT ?`,
      params: [outputCutoff],
    },
    {
      label: "approval votes of runs that ended before the run_journal retention",
      table: "approval_votes",
      key: "approval_id",
      select: `SELECT a.id FROM approvals a JOIN runs r ON r.id = a.run_id WHERE ${endedBefore("r")}
                 AND EXISTS (SELECT 1 FROM approval_votes v WHERE v.approval_id = a.id)
               ORDER BY a.id LIMIT ?`,
      params: [journalCutoff],
    },
    {
      label: "approvals of runs that ended before the run_journal retention",
      table: "approvals",
      key: "run_id",
      select: oldRunsWith("approvals"),
      params: [journalCutoff],
    },
    {
      label: "journal events of those runs",
      table: "run_journal",
      key: "run_id",
      select: oldRunsWith("run_journal"),
      params: [journalCutoff],
    },
    {
      label: "steps of those runs",
      table: "run_steps",
      key: "run_id",
      select: oldRunsWith("run_steps"),
      params: [journalCutoff],
    },
    {
      label: "remaining output of those runs",
      table: "run_output",
      key: "run_id",
      select: oldRunsWith("run_output"),
      params: [journalCutoff],
    },
    {
      label: "runs that ended before the run_journal retention",
      table: "runs",
      key: "id",
      select: `SELECT r.id FROM runs r WHERE ${endedBefore("r")}
                 AND NOT EXISTS (SELECT 1 FROM run_steps s WHERE s.run_id = r.id)
                 AND NOT EXISTS (SELECT 1 FROM run_journal j WHERE j.run_id = r.id)
                 AND NOT EXISTS (SELECT 1 FROM run_output o WHERE o.run_id = r.id)
                 AND NOT EXISTS (SELECT 1 FROM approvals a WHERE a.run_id = r.id)
                 AND NOT EXISTS (SELECT 1 FROM run_locks l WHERE l.run_id = r.id)
               ORDER BY r.id LIMIT ?`,
      dryRunSelect: `SELECT r.id FROM runs r WHERE ${endedBefore("r")}`,
      params: [journalCutoff],
    },
  ];
}
