import type { Clock } from "../lib/clock.js";
import type { Db, Store } from "../store/store.js";
import { createApprovalTable } from "./journal-approvals.js";
import { createLockTable } from "./journal-locks.js";
import { createOutputLog } from "./journal-output.js";
import { toEntry, toRun, toStep } from "./journal-rows.js";
import {
  FINAL_RUN_STATUSES as FINAL,
  type JournalEntry,
  type RunRow,
  type RunStatus,
  type StepRow,
  type StepStatus,
  type TransitionOptions,
} from "./types.js";

export type { OutputChunk, OutputRow } from "./journal-output.js";

/**
 * The run journal: the only code that writes orchestration rows. Its parts live beside it
 * (journal-approvals.ts, journal-locks.ts, journal-output.ts) and are spread into it. State changes
 * commit with synchronous=FULL (`store.durable`) and are conditional UPDATEs that report whether they
 * won; each appends a journal entry in the same transaction, so the journal and the state rows never
 * disagree. Output chunks commit with NORMAL: losing the last few lines on power loss is acceptable,
 * losing a "step started" is not.
 */
export interface NewRun {
  runbook: string;
  runbookHash: string;
  params: Record<string, string>;
  secretParams: string[];
  targets: string[];
  locks: string[];
  requestedBy: string;
  requestedByName: string;
  channel: string;
  threadTs?: string;
}

export interface NewStep {
  key: string;
  stepId: string;
  name: string;
  kind: string;
  target: string | null;
  ordinal: number;
  rollbackOf?: string;
  command?: string;
}

export interface StepOutcome {
  status: Extract<StepStatus, "succeeded" | "failed" | "cancelled" | "interrupted">;
  exitCode?: number | null;
  error?: string;
  durationMs: number;
}

export type Journal = ReturnType<typeof createJournal>;

const INSERT_STEP = `INSERT INTO run_steps (run_id, key, step_id, name, kind, target, ordinal, rollback_of,
  status, command)`;
const STEP_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)";

/** The journal entry that records where a run's parent message lives (posted by the run reporter). */
const PARENT_POSTED = "report.parent_posted";

export function createJournal(deps: { store: Store; clock: Clock; outputCapBytes?: number }) {
  const { store, clock } = deps;
  const db: Db = store.db;
  // Statements built from a variable shape (status lists, optional columns) are prepared once per shape.
  const shapes = new Map<string, ReturnType<typeof db.prepare<unknown[]>>>();
  const prepared = (sql: string) => {
    let st = shapes.get(sql);
    if (!st) {
      st = db.prepare<unknown[]>(sql);
      shapes.set(sql, st);
    }
    return st;
  };
  const durably = <T>(fn: () => T): T => (db.inTransaction ? fn() : store.durable(fn));
  const normally = <T>(fn: () => T): T => (db.inTransaction ? fn() : store.tx(fn));
  const output = createOutputLog({ store, clock, capBytes: deps.outputCapBytes ?? 4_194_304 });
  const locks = createLockTable({ db, clock, durably });

  const s = {
    // seq: the entry's position in its run's journal (the last one's + 1, read in the same statement,
    // under the write lock, so two writers never take the same number).
    event: db.prepare(`INSERT INTO run_journal (run_id, seq, at, event, step_key, attempt, detail)
      VALUES (?, COALESCE((SELECT MAX(seq) FROM run_journal WHERE run_id = ?), 0) + 1, ?, ?, ?, ?, ?)`),
    insertRun:
      db.prepare(`INSERT INTO runs (runbook, runbook_hash, status, params, secret_params, targets, locks,
      requested_by, requested_by_name, channel, thread_ts, requested_at, updated_at)
      VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertStep: db.prepare<unknown[]>(`${INSERT_STEP} VALUES ${STEP_ROW}`),
    insertSteps: db.prepare<unknown[]>(
      `${INSERT_STEP} VALUES ${Array.from({ length: STEP_BATCH }, () => STEP_ROW).join(", ")}`,
    ),
    getRun: db.prepare("SELECT * FROM runs WHERE id = ?"),
    steps: db.prepare("SELECT * FROM run_steps WHERE run_id = ? ORDER BY ordinal, key"),
    step: db.prepare("SELECT * FROM run_steps WHERE run_id = ? AND key = ?"),
    stepStates: db
      .prepare("SELECT key, status, attempt FROM run_steps WHERE run_id = ? ORDER BY ordinal, key")
      .raw(),
    stepStart:
      db.prepare(`UPDATE run_steps SET status = 'running', attempt = ?, started_at = ?, finished_at = NULL,
      duration_ms = NULL, exit_code = NULL, error = NULL, command = COALESCE(?, command)
      WHERE run_id = ? AND key = ? AND status IN ('pending', 'running')`),
    stepWaiting: db.prepare(
      "UPDATE run_steps SET status = 'waiting' WHERE run_id = ? AND key = ? AND status = 'running'",
    ),
    lastEvent: db.prepare(
      "SELECT detail FROM run_journal WHERE run_id = ? AND event = ? ORDER BY seq DESC LIMIT 1",
    ),
    skipPending: db.prepare(
      "UPDATE run_steps SET status = 'skipped', finished_at = ? WHERE run_id = ? AND status = 'pending' RETURNING key, ordinal",
    ),
    stepFinish:
      db.prepare(`UPDATE run_steps SET status = ?, finished_at = ?, duration_ms = ?, exit_code = ?, error = ?
      WHERE run_id = ? AND key = ? AND status IN ('running', 'waiting')`),
  };

  const appendEvent = (
    runId: number,
    event: string,
    stepKey?: string | null,
    attempt?: number | null,
    detail?: object,
  ) =>
    s.event.run(
      runId,
      runId,
      clock.now(),
      event,
      stepKey ?? null,
      attempt ?? null,
      detail ? JSON.stringify(detail) : null,
    );

  /** Compare-and-set on the run status; appends `run.<to>` (or `event`) when it wins. */
  function transitionRun(
    id: number,
    from: readonly RunStatus[],
    to: RunStatus,
    opts: TransitionOptions = {},
  ): boolean {
    return durably(() => {
      const now = clock.now();
      const started = to === "running" ? ", started_at = COALESCE(started_at, @now)" : "";
      const finished = FINAL.includes(to) ? ", finished_at = @now" : "";
      const reason = opts.reason === undefined ? "" : ", status_reason = @reason";
      const fromList = from.map((_, i) => `@f${i}`).join(", ");
      const bind: Record<string, unknown> = {
        to,
        now,
        id,
        ...Object.fromEntries(from.map((f, i) => [`f${i}`, f])),
      };
      if (opts.reason !== undefined) bind.reason = opts.reason;
      const changes = prepared(`UPDATE runs SET status = @to, updated_at = @now${started}${finished}${reason}
          WHERE id = @id AND status IN (${fromList})`).run(bind).changes;
      if (changes === 0) return false;
      appendEvent(
        id,
        opts.event ?? `run.${to}`,
        null,
        null,
        opts.detail ?? (opts.reason ? { reason: opts.reason } : undefined),
      );
      return true;
    });
  }

  /** A status change outside the start/finish path: interrupt, reset for resume, skip. */
  function setStepStatus(
    runId: number,
    key: string,
    from: readonly StepStatus[],
    to: StepStatus,
    event: string,
    detail?: object,
  ): boolean {
    return durably(() => {
      const marks = from.map(() => "?").join(", ");
      const extra =
        to === "interrupted"
          ? ", finished_at = ?, error = 'outcome unknown: opsbot stopped during this step'"
          : ", finished_at = ?";
      const ok =
        prepared(
          `UPDATE run_steps SET status = ?${extra} WHERE run_id = ? AND key = ? AND status IN (${marks})`,
        ).run(to, to === "pending" ? null : clock.now(), runId, key, ...from).changes > 0;
      if (ok) appendEvent(runId, event, key, null, detail);
      return ok;
    });
  }

  /**
   * Ends a run, in one durable transaction: the status compare-and-set (nothing else is written when
   * it loses), then every step that never ran is skipped, open approvals are withdrawn and the run's
   * locks are released. Cancel, abort, the engine's finish, a failed activation, recovery and a
   * rejected or expired request all end runs through here.
   */
  function endRun(
    id: number,
    from: readonly RunStatus[],
    to: RunStatus,
    opts: TransitionOptions = {},
  ): boolean {
    return durably(() => {
      if (!transitionRun(id, from, to, opts)) return false;
      const skipped = s.skipPending.all(clock.now(), id) as { key: string; ordinal: number }[];
      skipped.sort((a, b) => a.ordinal - b.ordinal || (a.key < b.key ? -1 : 1));
      for (const st of skipped) appendEvent(id, "step.skipped", st.key);
      approvals.cancelApprovals(id);
      locks.releaseLocks(id);
      return true;
    });
  }

  const approvals = createApprovalTable({
    db,
    clock,
    runs: { durably, appendEvent, transitionRun, endRun },
  });

  return {
    durable: durably,
    normal: normally,
    appendEvent,
    transitionRun,
    endRun,
    setStepStatus,

    saveVersion(v: { hash: string; name: string; file: string; content: string }): boolean {
      return durably(
        () =>
          db
            .prepare(
              "INSERT INTO runbook_versions (hash, name, file, content, first_seen_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(hash) DO NOTHING",
            )
            .run(v.hash, v.name, v.file, v.content, clock.now()).changes > 0,
      );
    },

    getVersion(hash: string): { hash: string; name: string; file: string; content: string } | undefined {
      return db.prepare("SELECT hash, name, file, content FROM runbook_versions WHERE hash = ?").get(hash) as
        | { hash: string; name: string; file: string; content: string }
        | undefined;
    },

    /** Writes the run (status pending) and its step checklist in one durable transaction. */
    createRun(run: NewRun, steps: NewStep[]): number {
      return durably(() => {
        const now = clock.now();
        const id = Number(
          s.insertRun.run(
            run.runbook,
            run.runbookHash,
            JSON.stringify(run.params),
            JSON.stringify(run.secretParams),
            JSON.stringify(run.targets),
            JSON.stringify(run.locks),
            run.requestedBy,
            run.requestedByName,
            run.channel,
            run.threadTs ?? null,
            now,
            now,
          ).lastInsertRowid,
        );
        insertSteps(id, steps);
        appendEvent(id, "run.requested", null, null, {
          runbook: run.runbook,
          hash: run.runbookHash,
          params: run.params,
          by: run.requestedByName,
        });
        return id;
      });
    },

    getRun(id: number): RunRow | undefined {
      const r = s.getRun.get(id) as Record<string, unknown> | undefined;
      return r ? toRun(r) : undefined;
    },

    listRuns(
      opts: { statuses?: readonly RunStatus[]; limit?: number; oldestFirst?: boolean } = {},
    ): RunRow[] {
      const where = opts.statuses ? `WHERE status IN (${opts.statuses.map(() => "?").join(", ")})` : "";
      const rows = db
        .prepare(`SELECT * FROM runs ${where} ORDER BY id ${opts.oldestFirst ? "ASC" : "DESC"} LIMIT ?`)
        .all(...(opts.statuses ?? []), opts.limit ?? 20) as Record<string, unknown>[];
      return rows.map(toRun);
    },

    setReason(id: number, reason: string | null): void {
      db.prepare("UPDATE runs SET status_reason = ?, updated_at = ? WHERE id = ?").run(
        reason,
        clock.now(),
        id,
      );
    },

    setThread(id: number, channel: string, threadTs: string): void {
      db.prepare("UPDATE runs SET channel = ?, thread_ts = ?, updated_at = ? WHERE id = ?").run(
        channel,
        threadTs,
        clock.now(),
        id,
      );
    },

    /** First cancel wins; returns false when already requested. */
    requestCancel(id: number, by: string): boolean {
      return durably(() => {
        const ok =
          db
            .prepare(
              "UPDATE runs SET cancel_requested_by = ?, updated_at = ? WHERE id = ? AND cancel_requested_by IS NULL",
            )
            .run(by, clock.now(), id).changes > 0;
        if (ok) appendEvent(id, "run.cancel_requested", null, null, { by });
        return ok;
      });
    },

    addSteps(runId: number, steps: NewStep[]): void {
      durably(() => {
        insertSteps(runId, steps);
      });
    },

    getSteps(runId: number): StepRow[] {
      return (s.steps.all(runId) as Record<string, unknown>[]).map(toStep);
    },

    /**
     * Each step's key, status and last attempt, in plan order: what a run keeps in memory to decide
     * and to number its next attempts (no other column read).
     */
    stepStates(runId: number): [key: string, status: StepStatus, attempt: number][] {
      return s.stepStates.all(runId) as [string, StepStatus, number][];
    },

    getStep(runId: number, key: string): StepRow | undefined {
      const r = s.step.get(runId, key) as Record<string, unknown> | undefined;
      return r ? toStep(r) : undefined;
    },

    /** Durably records that the action is about to run. Returns false if the step is not startable. */
    stepStarted(runId: number, key: string, attempt: number, command?: string): boolean {
      return durably(() => {
        const ok = s.stepStart.run(attempt, clock.now(), command ?? null, runId, key).changes > 0;
        if (ok) appendEvent(runId, "step.started", key, attempt, command ? { command } : undefined);
        return ok;
      });
    },

    stepWaiting(runId: number, key: string): boolean {
      return durably(() => {
        const ok = s.stepWaiting.run(runId, key).changes > 0;
        if (ok) appendEvent(runId, "step.waiting", key);
        return ok;
      });
    },

    /**
     * Committed with synchronous=NORMAL: WAL mode never loses it to a crash of opsbot, and the next
     * "started" (durable) flushes it to disk anyway. On power loss before that, the step shows as
     * interrupted — the safe direction for at-most-once — so one fsync per step is enough.
     */
    stepFinished(runId: number, key: string, attempt: number, o: StepOutcome): boolean {
      return normally(() => {
        const ok =
          s.stepFinish.run(
            o.status,
            clock.now(),
            Math.round(o.durationMs),
            o.exitCode ?? null,
            o.error ?? null,
            runId,
            key,
          ).changes > 0;
        if (ok) {
          appendEvent(runId, "step.finished", key, attempt, {
            status: o.status,
            exitCode: o.exitCode ?? null,
            durationMs: Math.round(o.durationMs),
            ...(o.error ? { error: o.error } : {}),
          });
        }
        return ok;
      });
    },

    events(runId: number): JournalEntry[] {
      const rows = db.prepare("SELECT * FROM run_journal WHERE run_id = ? ORDER BY seq").all(runId);
      return (rows as Record<string, unknown>[]).map(toEntry);
    },

    /** Where the run's parent message was posted (kept in its journal, so a restart finds it again). */
    recordParentMessage(runId: number, ref: { channel: string; ts: string }): void {
      appendEvent(runId, PARENT_POSTED, null, null, { channel: ref.channel, ts: ref.ts });
    },

    parentMessage(runId: number): { channel: string; ts: string } | undefined {
      const row = s.lastEvent.get(runId, PARENT_POSTED) as { detail: string | null } | undefined;
      if (!row?.detail) return undefined;
      const d = JSON.parse(row.detail) as { channel?: unknown; ts?: unknown };
      return typeof d.channel === "string" && typeof d.ts === "string"
        ? { channel: d.channel, ts: d.ts }
        : undefined;
    },

    ...output,
    ...locks,
    ...approvals,
  };

  /** Writes step rows, STEP_BATCH to a statement: a 100-step checklist is 4 statements, not 100. */
  function insertSteps(runId: number, steps: readonly NewStep[]): void {
    let i = 0;
    for (; i + STEP_BATCH <= steps.length; i += STEP_BATCH)
      s.insertSteps.run(steps.slice(i, i + STEP_BATCH).flatMap((st) => stepValues(runId, st)));
    for (; i < steps.length; i++) s.insertStep.run(stepValues(runId, steps[i]!));
  }
}

const STEP_BATCH = 32;

function stepValues(runId: number, st: NewStep): unknown[] {
  return [
    runId,
    st.key,
    st.stepId,
    st.name,
    st.kind,
    st.target,
    st.ordinal,
    st.rollbackOf ?? null,
    st.command ?? null,
  ];
}
