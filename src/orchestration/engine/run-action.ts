import { formatDuration, parseDuration } from "../../lib/clock.js";
import { createOutputPipe, type OutputPipe } from "../output.js";
import { nodeVars, type PlanNode } from "../plan.js";
import { ABORT_CANCEL, ABORT_TIMEOUT, type StepContext, type StepResult } from "../steps/types.js";
import type { ActiveRun, EngineCore } from "./engine-core.js";

/**
 * One attempt of a node's action: the executor under the node's timeout with its output streamed
 * (redacted) into the journal, or a mid-run approval waiting for a decision. Journaling around it is
 * run-node.ts's job.
 */
export async function runAction(
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
  // Whether the timeout (not a cancel before it) aborted the action; kept here because AbortSignal's
  // accessors cost more than the rest of a no-op step's bookkeeping.
  let timedOut = false;
  const timer =
    node.timeoutMs === undefined || node.timeoutMs <= 0
      ? undefined
      : setTimeout(() => {
          timedOut = !controller.signal.aborted;
          controller.abort(ABORT_TIMEOUT);
        }, node.timeoutMs);
  // Built at the first output: most steps of a gate, wait or notify kind never print anything.
  let pipe: OutputPipe | undefined;
  const output = (text: string, stream: "stdout" | "stderr") => {
    pipe ??= createOutputPipe(run.redactor, (clean, to) => {
      core.writer.push({ runId: run.id, stepKey: node.key, attempt, stream: to, text: clean });
      core.progress.emit({
        type: "output",
        runId: run.id,
        key: node.key,
        stream: to,
        text: clean,
        at: deps.clock.now(),
      });
    });
    pipe.write(text, stream);
  };
  let runInfo: StepContext["run"] | undefined;
  const ctx: StepContext = {
    runId: run.id,
    node,
    attempt,
    vars: nodeVars(node, run.params, run.id),
    // Read from the store when an executor asks (notify does; most steps never do): the thread can
    // be recorded after the run started.
    get run() {
      if (runInfo) return runInfo;
      const row = core.journal.getRun(run.id)!;
      runInfo = {
        runbook: row.runbook,
        requestedBy: row.requestedBy,
        requestedByName: row.requestedByName,
        channel: row.channel,
        threadTs: row.threadTs,
      };
      return runInfo;
    },
    signal: controller.signal,
    output,
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
    if (pipe) {
      pipe.flush(true);
      // Output reaches the store before the step is journaled as finished.
      core.writer.flush();
    }
  }
  if (timedOut) {
    return {
      status: "failed",
      exitCode: result.exitCode ?? null,
      error: `timed out after ${formatDuration(node.timeoutMs!)}`,
    };
  }
  return result;
}

/** A mid-run approval: a pending approval row the chat layer resolves through decideApproval. */
export async function runApproval(
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
