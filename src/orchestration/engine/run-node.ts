import { formatDuration, parseDuration } from "../../lib/clock.js";
import { isStoreFault, storeFaultReason, storeRetryDelay } from "../../store/faults.js";
import { createOutputPipe } from "../output.js";
import { displayCommand, nodeVars, type PlanNode } from "../plan.js";
import { ABORT_CANCEL, ABORT_TIMEOUT, type StepContext, type StepResult } from "../steps/types.js";
import type { ActiveRun, EngineCore } from "./engine-core.js";

/**
 * Runs the nodes of an active run. For every attempt, "step started" is journaled durably BEFORE the
 * action; then the executor runs under a timeout, output streams redacted into the journal, and
 * "step finished" is journaled. Only idempotent steps get further attempts.
 *
 * `startNodes` journals the first attempt of every node one decision launches in ONE durable
 * transaction (one fsync for a fan-out of 20 branches), and only after that commit starts the actions.
 */
export function startNodes(core: EngineCore, run: ActiveRun, keys: readonly string[]): void {
  if (keys.length === 0) return;
  // Claimed synchronously, so the decision that launched them cannot launch them twice.
  const before = new Map(keys.map((key) => [key, run.status.get(key)]));
  for (const key of keys) run.status.set(key, "running");
  let attempts: number[];
  try {
    attempts = core.journal.durable(() => keys.map((key) => beginAttempt(core, run, key)));
  } catch (err) {
    // Nothing was journaled, so nothing starts: the claims are undone and the pump retries later.
    for (const [key, status] of before) {
      if (status === undefined) run.status.delete(key);
      else run.status.set(key, status);
    }
    throw err;
  }
  keys.forEach((key, i) => {
    const attempt = attempts[i]!;
    if (attempt === 0) return;
    runNode(core, run, key, attempt)
      .catch((err: unknown) => {
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
      })
      .finally(() => core.lifecycle.schedulePump(run));
  });
}

/** Journals the next attempt of a node as started; returns its number, or 0 if it may not start. */
function beginAttempt(core: EngineCore, run: ActiveRun, key: string): number {
  const { journal } = core;
  const node = run.plan.nodes.get(key)!;
  let existing = journal.getStep(run.id, key);
  if (!existing && node.rollbackOf !== undefined) {
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
    existing = journal.getStep(run.id, key);
  }
  const attempt = (existing?.attempt ?? 0) + 1;
  const shown = displayCommand(node, run.params, run.secretNames, run.id);
  const command = shown === undefined ? undefined : run.redactor.redact(shown);
  if (!journal.stepStarted(run.id, key, attempt, command)) {
    // Someone else moved it (e.g. an abort); never run an action the journal does not show.
    run.status.set(key, journal.getStep(run.id, key)?.status ?? "skipped");
    return 0;
  }
  return attempt;
}

async function runNode(core: EngineCore, run: ActiveRun, key: string, firstAttempt: number): Promise<void> {
  const { journal, deps } = core;
  const node = run.plan.nodes.get(key)!;
  let attempt = firstAttempt;
  for (;;) {
    if (attempt !== firstAttempt && beginAttempt(core, run, key) === 0) return;
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
      if (!run.cancelRequested) {
        attempt++;
        continue;
      }
    }
    const status = result.status;
    // The outcome is known here; it is journaled before anything else happens, however long the
    // store takes to accept it (the run pauses meanwhile, with its output held in memory).
    await untilStored(core, run, () => {
      if (!core.writer.flush()) throw core.writer.lastFault();
      journal.stepFinished(run.id, key, attempt, {
        status,
        exitCode: result.exitCode ?? null,
        ...(error === undefined ? {} : { error }),
        durationMs,
      });
    });
    run.status.set(key, status);
    core.progress.emit({ type: "step", runId: run.id, key, status, attempt, at: deps.clock.now() });
    return;
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

async function untilStored(core: EngineCore, run: ActiveRun, write: () => void): Promise<void> {
  for (let failures = 0; ; failures++) {
    try {
      write();
      if (failures > 0) core.deps.health?.recovered("run journal");
      return;
    } catch (err) {
      if (!isStoreFault(err)) throw err;
      core.deps.health?.fault(err, "run journal");
      if (failures === 0)
        core.deps.logger.warn(
          { runId: run.id, err: storeFaultReason(err) },
          "step outcome waiting for the store",
        );
      await new Promise((r) => setTimeout(r, storeRetryDelay(failures)));
    }
  }
}

async function runAction(
  core: EngineCore,
  run: ActiveRun,
  node: PlanNode,
  attempt: number,
): Promise<StepResult> {
  const { deps } = core;
  const executor = deps.executors[node.kind as keyof typeof deps.executors];
  const controller = new AbortController();
  // Rollback steps are what a cancel runs; they are not cancelled themselves.
  if (node.rollbackOf === undefined) {
    if (run.cancelRequested) controller.abort(ABORT_CANCEL);
    run.controllers.set(node.key, controller);
  }
  const timer =
    node.timeoutMs === undefined || node.timeoutMs <= 0
      ? undefined
      : setTimeout(() => controller.abort(ABORT_TIMEOUT), node.timeoutMs);
  const pipe = createOutputPipe(run.redactor, (text, stream) => {
    core.writer.push({ runId: run.id, stepKey: node.key, attempt, stream, text });
    core.progress.emit({ type: "output", runId: run.id, key: node.key, stream, text, at: deps.clock.now() });
  });
  const row = core.journal.getRun(run.id)!;
  const ctx: StepContext = {
    runId: run.id,
    node,
    attempt,
    vars: nodeVars(node, run.params, run.id),
    run: {
      runbook: row.runbook,
      requestedBy: row.requestedBy,
      requestedByName: row.requestedByName,
      channel: row.channel,
      threadTs: row.threadTs,
    },
    signal: controller.signal,
    output: (text, stream) => pipe.write(text, stream),
    redact: (text) => run.redactor.redact(text),
  };
  let result: StepResult;
  try {
    result = await executor(ctx);
  } catch (err) {
    result = { status: "failed", error: (err as Error).message };
  } finally {
    if (timer) clearTimeout(timer);
    run.controllers.delete(node.key);
    pipe.flush(true);
    // Output reaches the store before the step is journaled as finished.
    core.writer.flush();
  }
  if (controller.signal.reason === ABORT_TIMEOUT) {
    return {
      status: "failed",
      exitCode: result.exitCode ?? null,
      error: `timed out after ${formatDuration(node.timeoutMs!)}`,
    };
  }
  return result;
}

/** A mid-run approval: a pending approval row the chat layer resolves through decideApproval. */
async function runApproval(
  core: EngineCore,
  run: ActiveRun,
  node: PlanNode,
  attempt: number,
): Promise<StepResult> {
  const { deps, journal } = core;
  const rb = run.version.runbook;
  const spec = node.step.approval!;
  const row = journal.getRun(run.id)!;
  const approvalId = journal.createApproval({
    runId: run.id,
    stepKey: node.key,
    round: attempt,
    policy: {
      approvers: spec.approvers ?? rb.approvers ?? [],
      minApprovals: spec.min_approvals ?? rb.min_approvals,
      allowSelf: spec.allow_self ?? rb.allow_self,
      expiresInMs: parseDuration(spec.expires_in ?? rb.expires_in ?? "") ?? deps.settings.approvalExpiresInMs,
    },
    requestedBy: row.requestedBy,
  });
  journal.stepWaiting(run.id, node.key);
  run.status.set(node.key, "waiting");
  const at = deps.clock.now();
  core.progress.emit({ type: "step", runId: run.id, key: node.key, status: "waiting", attempt, at });
  core.progress.emit({
    type: "approval",
    runId: run.id,
    approvalId,
    stepKey: node.key,
    status: "pending",
    at,
  });
  const decision = await new Promise<{ status: string; by: string | null }>((resolve) => {
    const onCancel = () => resolve({ status: "cancelled", by: null });
    if (run.cancel.signal.aborted) return onCancel();
    run.cancel.signal.addEventListener("abort", onCancel, { once: true });
    core.approvalWaiters.set(approvalId, (status, by) => {
      run.cancel.signal.removeEventListener("abort", onCancel);
      resolve({ status, by });
    });
  });
  core.approvalWaiters.delete(approvalId);
  switch (decision.status) {
    case "approved":
      return { status: "succeeded" };
    case "rejected":
      return { status: "failed", error: `rejected by ${decision.by ?? "an approver"}` };
    case "expired":
      return { status: "failed", error: "approval expired" };
    default:
      journal.cancelApprovals(run.id);
      return { status: "cancelled" };
  }
}
