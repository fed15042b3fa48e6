import type { ChatUser } from "../../lib/actor.js";
import { NotFoundError } from "../../lib/errors.js";
import { isStoreFault, storeFaultReason, storeRetryDelay } from "../../store/faults.js";
import { createJournal, type Journal } from "../journal.js";
import type { DecisionResult } from "../journal-approvals.js";
import { createOutputWriter } from "../output.js";
import type { Plan } from "../plan.js";
import { createProgressHub, type ProgressListener } from "../progress.js";
import { ABORT_CANCEL, realSleep } from "../steps/types.js";
import type { ApprovalRow, RunRow } from "../types.js";
import { createControls } from "./controls.js";
import { decide, type NextSteps } from "./decide.js";
import type { ActiveRun, EngineCore, EngineDeps, RunLifecycle } from "./engine-core.js";
import { interruptedReason } from "./interrupted-reason.js";
import { type RecoveryReport, recoverRuns } from "./recovery.js";
import {
  missingSecrets,
  type Preview,
  planFor,
  policyOf,
  preview,
  type RequestInput,
  request,
  versionOf,
} from "./request.js";
import { startNodes } from "./run-node.js";
import { StepStates } from "./step-states.js";

export type { Preview, RequestInput } from "./request.js";

/**
 * The run engine: request → approval → run → finish, each transition a compare-and-set in the store.
 * Decisions come from the pure core (decide.ts); executors do the I/O; everything a user sees can be
 * re-rendered from the store.
 *
 * Locks: a run takes its lock keys when it starts (after approval). If another run holds one, it
 * waits in `approved` ("waiting for lock …") and starts, oldest first, when the holder finishes.
 * An interrupted run keeps its locks — its target is in an unknown state — until resumed or aborted.
 */
export type Engine = ReturnType<typeof createEngine>;

export function createEngine(deps: EngineDeps) {
  const journal = createJournal({
    store: deps.store,
    clock: deps.clock,
    outputCapBytes: deps.settings.outputCapBytes,
  });
  const progress =
    deps.progress ??
    createProgressHub((err) => deps.logger.warn({ err: (err as Error).message }, "progress listener failed"));
  let closing = false;
  const now = () => deps.clock.now();
  const lifecycle: RunLifecycle = {
    emitRun,
    start,
    ended(runId) {
      core.secrets.delete(runId);
      emitRun(runId);
      startWaiting();
    },
    pump,
    schedulePump(run) {
      if (run.pumpScheduled) return;
      run.pumpScheduled = true;
      setImmediate(() => {
        run.pumpScheduled = false;
        guardedPump(run);
      });
    },
  };
  let pumpFailures = 0;
  /**
   * A pump whose journal write the store refuses (disk full, locked) changes nothing — startNodes and
   * finalize undo their in-memory claims — and is tried again with backoff: the run pauses, it does
   * not crash the bot, and it goes on by itself once the store takes writes again.
   */
  function guardedPump(run: ActiveRun): void {
    try {
      pump(run);
      if (pumpFailures > 0) deps.health?.recovered("run journal");
      pumpFailures = 0;
    } catch (err) {
      if (!isStoreFault(err)) throw err;
      pumpFailures++;
      deps.health?.fault(err, "run journal");
      deps.logger.warn(
        { runId: run.id, err: storeFaultReason(err) },
        "run paused: the journal cannot be written",
      );
      setTimeout(() => lifecycle.schedulePump(run), storeRetryDelay(pumpFailures)).unref();
    }
  }
  const core: EngineCore = {
    deps,
    journal,
    writer: createOutputWriter(journal, {
      flushMs: deps.settings.outputFlushMs ?? 100,
      ...(deps.health ? { health: deps.health } : {}),
      logger: deps.logger,
    }),
    progress,
    sleep: deps.sleep ?? realSleep,
    active: new Map(),
    secrets: new Map(),
    approvalWaiters: new Map(),
    lifecycle,
  };

  function emitRun(runId: number): void {
    const row = journal.getRun(runId);
    if (row) progress.emit({ type: "run", runId, status: row.status, reason: row.statusReason, at: now() });
  }

  /** approved → running, once its locks are free. */
  function start(runId: number, planned?: Plan): void {
    // Stopping: an approved run stays approved; the next owner's recovery starts it.
    if (closing || core.active.has(runId)) return;
    const row = journal.getRun(runId);
    if (row?.status !== "approved") return;
    const missing = missingSecrets(core, row);
    if (missing.length > 0) {
      journal.transitionRun(runId, ["approved"], "interrupted", {
        reason: `secret parameters are not kept across restarts: resume ${runId} ${missing.map((m) => `${m}=…`).join(" ")}`,
      });
      emitRun(runId);
      return;
    }
    // Locks and "running" in one durable transaction: a run never holds locks without running.
    let lock: ReturnType<Journal["acquireLocks"]>;
    try {
      lock = journal.durable(() => {
        const taken = journal.acquireLocks(runId, row.locks);
        if (taken.ok && !journal.transitionRun(runId, ["approved"], "running", { reason: null })) {
          throw new LostRace();
        }
        return taken;
      });
    } catch (err) {
      if (err instanceof LostRace) return; // cancelled or aborted meanwhile; the rollback freed the locks
      throw err;
    }
    if (!lock.ok) {
      journal.setReason(runId, `waiting for lock ${lock.key} held by run ${lock.heldBy}`);
      emitRun(runId);
      return;
    }
    emitRun(runId);
    activate(row, planned);
  }

  /** Builds the in-memory run from the store and starts pumping it. */
  function activate(row: RunRow, planned?: Plan): void {
    let run: ActiveRun;
    try {
      const version = versionOf(core, row);
      const params = { ...row.params, ...(core.secrets.get(row.id) ?? {}) };
      const plan = planned ?? planFor(core, version, params, row.secretParams);
      const steps = applyResumeChoice(row.id);
      let resolveDone = () => {};
      const done = new Promise<void>((r) => {
        resolveDone = r;
      });
      run = {
        id: row.id,
        version,
        plan,
        params,
        secretNames: row.secretParams,
        redactor: deps.redactor.with(
          row.secretParams.map((n) => core.secrets.get(row.id)?.[n] ?? ""),
          [version.name, row.requestedByName],
        ),
        status: new StepStates(plan, steps),
        controllers: new Map(),
        cancel: new AbortController(),
        cancelRequested: row.cancelRequestedBy !== null,
        finishing: false,
        pumpScheduled: false,
        done,
        resolveDone,
      };
    } catch (err) {
      if (journal.endRun(row.id, ["running"], "failed", { reason: (err as Error).message }))
        lifecycle.ended(row.id);
      return;
    }
    core.active.set(row.id, run);
    pump(run);
  }

  /**
   * A resumed run re-runs (or, if the operator said so, skips) its interrupted steps. Returns the
   * run's steps (key, status, attempt) as they are now.
   */
  function applyResumeChoice(runId: number): ReturnType<Journal["stepStates"]> {
    const steps = journal.stepStates(runId);
    const interrupted = steps.filter(([, status]) => status === "interrupted");
    if (interrupted.length === 0) return steps;
    const choice = [...journal.events(runId)].reverse().find((e) => e.event === "run.resume_requested");
    const skip = choice?.detail?.skipInterrupted === true;
    for (const [key] of interrupted) {
      journal.setStepStatus(
        runId,
        key,
        ["interrupted"],
        skip ? "skipped" : "pending",
        skip ? "step.skipped_by_operator" : "step.rerun_after_interrupt",
      );
    }
    return journal.stepStates(runId);
  }

  function pump(run: ActiveRun): void {
    if (run.finishing || run.detached) return;
    const d = decide({ plan: run.plan, status: run.status, cancelRequested: run.cancelRequested });
    startNodes(core, run, d.start);
    if (d.finish) finalize(run, d.finish);
  }

  function finalize(run: ActiveRun, finish: NonNullable<NextSteps["finish"]>): void {
    if (finish.status === "interrupted") {
      suspend(run, finish.interrupted ?? []);
      return;
    }
    run.finishing = true;
    try {
      journal.endRun(run.id, ["running"], finish.status, { reason: finish.reason ?? null });
    } catch (err) {
      run.finishing = false;
      throw err;
    }
    core.active.delete(run.id);
    lifecycle.ended(run.id);
    run.resolveDone();
  }

  /**
   * A step's outcome is unknown (its connection died): the run stops as after a crash — interrupted,
   * keeping its locks (its target is in an unknown state) and its secrets (a resume needs them) —
   * until someone resumes it (fresh approval) or aborts it.
   */
  function suspend(run: ActiveRun, keys: readonly string[]): void {
    run.finishing = true;
    const needsApproval = policyOf(core, run.version.runbook) !== undefined;
    const reason = interruptedReason(run.plan, keys, (k) => journal.getStep(run.id, k)?.error, needsApproval);
    try {
      journal.durable(() => {
        journal.cancelApprovals(run.id);
        journal.transitionRun(run.id, ["running"], "interrupted", { reason });
      });
    } catch (err) {
      run.finishing = false;
      throw err;
    }
    core.active.delete(run.id);
    emitRun(run.id);
    run.resolveDone();
  }

  /** Starts approved runs that were waiting for a lock, oldest first. */
  function startWaiting(): void {
    for (const row of journal.listRuns({ statuses: ["approved"], limit: 1000, oldestFirst: true }))
      start(row.id);
  }

  function onApprovalSettled(a: ApprovalRow): void {
    progress.emit({
      type: "approval",
      runId: a.runId,
      approvalId: a.id,
      stepKey: a.stepKey,
      status: a.status,
      at: now(),
    });
    if (a.stepKey !== null) {
      core.approvalWaiters.get(a.id)?.(a.status, a.decidedBy);
      return;
    }
    emitRun(a.runId);
    if (a.status === "approved") start(a.runId);
    else {
      const row = journal.getRun(a.runId);
      if (row && row.status !== "interrupted") core.secrets.delete(a.runId);
      startWaiting();
    }
  }

  const controls = createControls(core);

  return {
    journal,
    subscribe: (listener: ProgressListener) => progress.subscribe(listener),
    preview: (runbook: string, params: Record<string, string>): Preview => preview(core, runbook, params),
    request: (input: RequestInput) => request(core, input),

    /** The plan of an existing run, from its pinned version and stored (masked) parameters. */
    planOfRun(runId: number): Preview {
      const row = journal.getRun(runId);
      if (!row) throw new NotFoundError(`No run ${runId}.`, ["`runs` lists recent runs"]);
      const version = versionOf(core, row);
      const policy = policyOf(core, version.runbook);
      return {
        version,
        plan: planFor(core, version, row.params, row.secretParams),
        params: row.params,
        secretNames: row.secretParams,
        values: row.params,
        ...(policy ? { policy } : {}),
      };
    },

    /** An approver's decision; the store decides who wins. Identity comes from the transport. */
    decide(input: {
      approvalId: number;
      user: ChatUser;
      decision: "approve" | "reject";
      override?: { reason: string };
    }): DecisionResult {
      const r = journal.decideApproval(input);
      if (r.outcome === "approved" || r.outcome === "rejected" || r.outcome === "expired")
        onApprovalSettled(r.approval);
      return r;
    },

    /** Expires approvals whose time is up (the service calls this on a timer). */
    sweep(): number {
      const expired = journal.expireApprovals();
      for (const a of expired) onApprovalSettled(a);
      return expired.length;
    },

    ...controls,

    /** Start-up: settle what a crash left behind (see recovery.ts), then continue what is safe. */
    recover(): RecoveryReport {
      const report = recoverRuns(core);
      for (const id of report.continued) {
        const row = journal.getRun(id);
        if (row) activate(row);
      }
      for (const id of [...report.interrupted, ...report.expired]) emitRun(id);
      startWaiting();
      return report;
    },

    /** Where the run's thread lives (the chat reporter posts the parent message, then records it). */
    setThread(runId: number, channel: string, threadTs: string): void {
      journal.setThread(runId, channel, threadTs);
    },

    activeRunIds: (): number[] => [...core.active.keys()],

    /**
     * Stop: no run starts any more. Runs still executing are marked interrupted (outcome unknown)
     * through the journal, exactly as recovery after a crash would, and detached: whatever their steps
     * do later is not written. Call it after waiting (`idle`) as long as the shutdown grace allows.
     */
    shutdown(reason: string): number[] {
      closing = true;
      const ids: number[] = [];
      for (const run of [...core.active.values()]) {
        run.detached = true;
        journal.durable(() => {
          for (const s of journal.getSteps(run.id)) {
            if (s.status !== "running" && s.status !== "waiting") continue;
            journal.setStepStatus(run.id, s.key, ["running", "waiting"], "interrupted", "step.interrupted", {
              reason: "opsbot stopped while this step was running; its outcome is unknown",
            });
          }
          journal.cancelApprovals(run.id);
          journal.transitionRun(run.id, ["running"], "interrupted", { reason });
        });
        core.active.delete(run.id);
        // The process is about to exit: its commands would die with it (local) or with the closed
        // connection (SSH); stopping them now makes that explicit and lets the exit happen at once.
        run.cancel.abort(ABORT_CANCEL);
        for (const c of run.controllers.values()) c.abort(ABORT_CANCEL);
        run.resolveDone();
        emitRun(run.id);
        ids.push(run.id);
      }
      core.writer.close();
      return ids;
    },

    /** Resolves when every run this process is executing has finished. */
    async idle(): Promise<void> {
      while (core.active.size > 0) await Promise.all([...core.active.values()].map((r) => r.done));
    },
  };
}

/** Thrown inside a transaction to roll it back when a compare-and-set lost. */
class LostRace extends Error {}
