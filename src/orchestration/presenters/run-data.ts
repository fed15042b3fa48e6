import { dataOf, iso, type ReplyData } from "../../chat/reply.js";
import type { GateCheck } from "../steps/gate.js";
import type { RunRow, StepRow } from "../types.js";
import type { RunView } from "../view.js";

/**
 * The data payloads of run answers (docs/json.md): rows as stored, times ISO, durations in seconds,
 * statuses as their enums. Secret parameter values are masked exactly as in the rendered answers.
 */
const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);

export function runData(r: RunRow) {
  return {
    id: r.id,
    runbook: r.runbook,
    runbookHash: r.runbookHash,
    status: r.status,
    statusReason: r.statusReason,
    params: r.params,
    targets: r.targets,
    requestedBy: { id: r.requestedBy, name: r.requestedByName },
    requestedAt: iso(r.requestedAt),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
  };
}

export function stepData(s: StepRow) {
  return {
    key: s.key,
    stepId: s.stepId,
    name: s.name,
    kind: s.kind,
    target: s.target,
    rollbackOf: s.rollbackOf,
    status: s.status,
    attempt: s.attempt,
    command: s.command,
    startedAt: iso(s.startedAt),
    finishedAt: iso(s.finishedAt),
    durationSeconds: seconds(s.durationMs),
    exitCode: s.exitCode,
    error: s.error,
    outputBytes: s.outputBytes,
    outputTruncated: s.outputTruncated,
  };
}

export function runListData(rows: RunRow[], active: boolean): ReplyData {
  return dataOf("runs", { active, runs: rows.map(runData) });
}

export function runStatusData(view: RunView): ReplyData {
  return dataOf("run", { run: runData(view.run), steps: view.steps.map(stepData) });
}

export function runLogData(
  view: RunView,
  steps: string[] | null,
  chunks: { stepKey: string; stream: string; text: string; at: number }[],
): ReplyData {
  return dataOf("run_log", {
    run: view.run.id,
    steps,
    chunks: chunks.map((c) => ({ step: c.stepKey, stream: c.stream, at: iso(c.at), text: c.text })),
  });
}

export function planData(
  plan: { order: string[]; nodes: Map<string, { kind: string; on?: { name: string } }> },
  info: { runbook: string; hash: string; params: Record<string, string>; targets: string[] },
  gates: ReadonlyMap<string, GateCheck[]>,
  checkedWhenReached: ReadonlySet<string>,
  problems: readonly string[],
): ReplyData {
  return dataOf("plan", {
    runbook: info.runbook,
    runbookHash: info.hash,
    params: info.params,
    targets: info.targets,
    steps: plan.order.map((key) => {
      const n = plan.nodes.get(key)!;
      return {
        key,
        kind: n.kind,
        device: n.on?.name ?? null,
        gate:
          n.kind !== "gate"
            ? null
            : checkedWhenReached.has(key)
              ? { when: "reached", checks: [] }
              : { when: "now", checks: gates.get(key) ?? [] },
      };
    }),
    problems,
    runnable: problems.length === 0,
  });
}
