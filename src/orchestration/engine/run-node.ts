import { isStoreFault, storeFaultReason, storeRetryDelay } from "../../store/faults.js";
import type { StepOutcome } from "../journal.js";
import { displayCommand, type Plan, type PlanNode } from "../plan.js";
import type { ExecutorKind, StepResult } from "../steps/types.js";
import { decide } from "./decide.js";
import type { ActiveRun, EngineCore } from "./engine-core.js";
import { runAction, runApproval } from "./run-action.js";

/**
 * Runs the nodes of an active run. For every attempt, "step started" is journaled durably BEFORE the
 * action (run-action.ts); then "step finished" is journaled. Only idempotent steps get further attempts.
 *
 * `startNodes` journals the first attempt of every node one decision launches in ONE durable
 * transaction (one fsync for a fan-out of 20 branches), and only after that commit starts the actions.
 * A step that ends while no other step of its run is in flight commits its outcome together with the
 * next steps' "started" (see settle): a chain costs one durable commit per step.
 */
export function startNodes(core: EngineCore, run: ActiveRun, keys: readonly string[]): void {
  if (keys.length === 0) return;
  const undo = claim(run, keys);
  let attempts: number[];
  try {
    attempts = core.journal.durable(() => keys.map((key) => beginAttempt(core, run, key)));
  } catch (err) {
    // Nothing was journaled, so nothing starts: the claims are undone and the pump retries later.
    undo();
    throw err;
  }
  launch(core, run, keys, attempts);
}

/**
 * Marks nodes running in memory, synchronously, so the decision that launched them cannot launch them
 * twice; returns how to undo that (and the attempt numbers beginAttempt counted) when their "started"
 * commit fails.
 */
function claim(run: ActiveRun, keys: readonly string[]): () => void {
  if (keys.length === 0) return noUndo;
  const before = keys.map((key) => [key, run.status.get(key), run.status.attempt(key)] as const);
  for (const key of keys) run.status.set(key, "running");
  return () => {
    for (const [key, status, attempt] of before) {
      run.status.set(key, status);
      run.status.setAttempt(key, attempt);
    }
  };
}

const noUndo = () => {};

/**
 * Lets the executor of the first pending node on a target no running step uses prepare for it (an SSH
 * handshake to the next host of a rolling group overlaps the current host's steps). One node ahead:
 * a run over 500 hosts never opens more than one connection early.
 */
function warmNext(core: EngineCore, run: ActiveRun): void {
  if (!mayWarm(core, run.plan)) return;
  const busy = new Set<string>();
  for (const [key, status] of run.status.entries()) {
    const on = run.plan.nodes.get(key)?.on?.name;
    if (on !== undefined && (status === "running" || status === "waiting")) busy.add(on);
  }
  for (const key of run.plan.order) {
    if ((run.status.get(key) ?? "pending") !== "pending") continue;
    const node = run.plan.nodes.get(key)!;
    if (node.on === undefined || busy.has(node.on.name)) continue;
    core.deps.executors[node.kind as ExecutorKind]?.warm?.(node);
    return;
  }
}

const warmable = new WeakMap<Plan, boolean>();

/** Whether any node of the plan addresses a device through an executor that can prepare for it. */
function mayWarm(core: EngineCore, plan: Plan): boolean {
  let may = warmable.get(plan);
  if (may === undefined) {
    may = false;
    for (const n of plan.nodes.values())
      if (n.on !== undefined && core.deps.executors[n.kind as ExecutorKind]?.warm) may = true;
    warmable.set(plan, may);
  }
  return may;
}

/** Runs the actions of nodes whose "started" is committed (attempt 0: the journal refused the start). */
function launch(core: EngineCore, run: ActiveRun, keys: readonly string[], attempts: number[]): void {
  if (keys.length > 0) warmNext(core, run);
  keys.forEach((key, i) => {
    const attempt = attempts[i]!;
    if (attempt === 0) return;
    runNode(core, run, key, attempt).then(
      (continued) => {
        if (!continued) core.lifecycle.schedulePump(run);
      },
      (err: unknown) => {
        core.lifecycle.schedulePump(run);
        // A run detached by shutdown (see engine.shutdown) may finish after the store closed: log only.
        if (run.detached) return;
        core.deps.logger.error(
          { runId: run.id, step: key, err: run.redactor.redact((err as Error).message) },
          "step runner crashed",
        );
        try {
          core.journal.stepFinished(run.id, key, 0, {
            status: "failed",
            error: run.redactor.redact(`internal error: ${(err as Error).message}`),
            durationMs: 0,
          });
          run.status.set(key, "failed");
        } catch (journalErr) {
          // The journal still shows the step running: recovery will report it interrupted, outcome unknown.
          core.deps.logger.error(
            { runId: run.id, step: key, err: journalErr },
            "could not journal the crash",
          );
        }
      },
    );
  });
}

/** Journals the next attempt of a node as started; returns its number, or 0 if it may not start. */
function beginAttempt(core: EngineCore, run: ActiveRun, key: string): number {
  const { journal } = core;
  const node = run.plan.nodes.get(key)!;
  // A rollback's row is written when it is first triggered (rare: only after a failure or cancel).
  if (node.rollbackOf !== undefined && !journal.getStep(run.id, key)) {
    journal.addSteps(run.id, [
      {
        key,
        stepId: node.stepId,
        name: node.name,
        kind: node.kind,
        target: node.on?.name ?? node.target?.name ?? null,
        ordinal: node.ordinal,
        rollbackOf: node.rollbackOf,
      },
    ]);
  }
  const attempt = run.status.attempt(key) + 1;
  const shown = displayCommand(node, run.params, run.secretNames, run.id);
  const command = shown === undefined ? undefined : run.redactor.redact(shown);
  if (!journal.stepStarted(run.id, key, attempt, command)) {
    // Someone else moved it (e.g. an abort); never run an action the journal does not show.
    run.status.set(key, journal.getStep(run.id, key)?.status ?? "skipped");
    return 0;
  }
  // Inside a commit that fails, the caller's claim puts the previous number back.
  run.status.setAttempt(key, attempt);
  return attempt;
}

/** Runs one node's attempts; resolves true when it already started the run's next steps itself. */
async function runNode(
  core: EngineCore,
  run: ActiveRun,
  key: string,
  firstAttempt: number,
): Promise<boolean> {
  const { journal, deps } = core;
  const node = run.plan.nodes.get(key)!;
  let attempt = firstAttempt;
  for (let retry = false; ; retry = true) {
    if (retry) {
      attempt = beginAttempt(core, run, key);
      if (attempt === 0) return false;
    }
    core.progress.emit({
      type: "step",
      runId: run.id,
      key,
      status: "running",
      attempt,
      at: deps.clock.now(),
    });
    const t0 = deps.clock.now();
    const result =
      node.kind === "approval"
        ? await runApproval(core, run, node, attempt)
        : await runAction(core, run, node, attempt);
    const durationMs = deps.clock.now() - t0;
    const error = result.error === undefined ? undefined : run.redactor.redact(result.error);
    const tries = attempt - firstAttempt + 1;
    if (mayRetry(node, result.status, tries) && !run.cancelRequested) {
      const delay = node.backoffMs * 2 ** (tries - 1);
      const event = result.status === "interrupted" ? "step.attempt_interrupted" : "step.attempt_failed";
      journal.appendEvent(run.id, event, key, attempt, {
        error: error ?? null,
        exitCode: result.exitCode ?? null,
        durationMs,
        retryInMs: delay,
      });
      await core.sleep(delay, run.cancel.signal);
      if (!run.cancelRequested) continue;
    }
    const outcome: StepOutcome = {
      status: result.status,
      exitCode: result.exitCode ?? null,
      ...(error === undefined ? {} : { error }),
      durationMs,
    };
    // The outcome is known here; it is journaled before anything else happens, however long the
    // store takes to accept it (the run pauses meanwhile, with its output held in memory).
    const stored = untilStored(core, run, () => settle(core, run, key, attempt, outcome));
    const next = stored instanceof Promise ? await stored : stored;
    core.progress.emit({
      type: "step",
      runId: run.id,
      key,
      status: outcome.status,
      attempt,
      at: deps.clock.now(),
    });
    launch(core, run, next.keys, next.attempts);
    return next.keys.length > 0;
  }
}

/**
 * A failed attempt is retried only for an idempotent step with retries left. An attempt of unknown
 * outcome (connection lost) is retried for any idempotent step — at least once, as after a crash —
 * and otherwise ends the step `interrupted`, which stops the run for a Resume or an Abort.
 */
function mayRetry(node: PlanNode, status: StepResult["status"], tries: number): boolean {
  if (!node.idempotent) return false;
  if (status === "failed") return tries <= node.retries;
  return status === "interrupted" && tries <= Math.max(1, node.retries);
}

interface Continuation {
  keys: string[];
  attempts: number[];
}

/**
 * Journals a step's outcome (after its output). When it was the run's only step in flight and the
 * decision starts further steps, their "started" rows go into the same commit — one durable commit
 * per step of a chain — and the caller launches them at once, without an event-loop hop. Otherwise the
 * outcome commits with NORMAL and the run's pump decides after the current burst of completions, so
 * a fan-out still group-commits its next starts. A failed commit leaves memory as it was.
 */
function settle(
  core: EngineCore,
  run: ActiveRun,
  key: string,
  attempt: number,
  outcome: StepOutcome,
): Continuation {
  const { journal } = core;
  const previous = run.status.get(key);
  run.status.set(key, outcome.status);
  let keys: string[] = [];
  if (!run.finishing && !run.detached && !run.status.anyInFlight()) {
    const d = decide({ plan: run.plan, status: run.status, cancelRequested: run.cancelRequested });
    if (d.finish === undefined) keys = d.start;
  }
  const undo = claim(run, keys);
  const write = () => {
    journal.stepFinished(run.id, key, attempt, outcome);
    return keys.map((k) => beginAttempt(core, run, k));
  };
  try {
    // Output first, in its own commit: a batch the writer handed over must not be rolled back with
    // a failed outcome commit (the writer would not hold it any more).
    if (!core.writer.flush()) throw core.writer.lastFault();
    const attempts = keys.length > 0 ? journal.durable(write) : journal.normal(write);
    return { keys, attempts };
  } catch (err) {
    undo();
    run.status.set(key, previous);
    throw err;
  }
}

/** Runs `write` now; while the store refuses it (a store fault), again with backoff until it takes it. */
function untilStored<T>(core: EngineCore, run: ActiveRun, write: () => T): T | Promise<T> {
  try {
    return write();
  } catch (err) {
    if (!isStoreFault(err)) throw err;
    core.deps.health?.fault(err, "run journal");
    core.deps.logger.warn(
      { runId: run.id, err: storeFaultReason(err) },
      "step outcome waiting for the store",
    );
    return retryStored(core, write);
  }
}

async function retryStored<T>(core: EngineCore, write: () => T): Promise<T> {
  for (let failures = 1; ; failures++) {
    await new Promise((r) => setTimeout(r, storeRetryDelay(failures - 1)));
    try {
      const done = write();
      core.deps.health?.recovered("run journal");
      return done;
    } catch (err) {
      if (!isStoreFault(err)) throw err;
      core.deps.health?.fault(err, "run journal");
    }
  }
}
