import type { Journal } from "./journal.js";
import type { ApprovalRow, RunRow, StepRow, VoteRow } from "./types.js";

/**
 * Everything needed to render a run — checklist, approvals, output tails — read from the store
 * alone. A reporter re-renders from this after any event (or after a restart), so a lost update
 * heals on the next one.
 */
export interface RunView {
  run: RunRow;
  steps: StepRow[];
  approvals: (ApprovalRow & { votes: VoteRow[] })[];
}

export function loadRunView(journal: Journal, runId: number): RunView | undefined {
  const run = journal.getRun(runId);
  if (!run) return undefined;
  return {
    run,
    steps: journal.getSteps(runId),
    approvals: journal.approvalsForRun(runId).map((a) => ({ ...a, votes: journal.votesFor(a.id) })),
  };
}

/** The last `maxBytes` of a step's stored output (already redacted), for chat and `run status`. */
export function outputTail(journal: Journal, runId: number, key: string, maxBytes = 1500): string {
  const rows = journal.output(runId, key);
  let text = "";
  for (let i = rows.length - 1; i >= 0 && Buffer.byteLength(text) < maxBytes; i--)
    text = rows[i]!.text + text;
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const buf = Buffer.from(text);
  return `…${buf
    .subarray(buf.length - maxBytes)
    .toString("utf8")
    .replace(/^\uFFFD+/, "")}`;
}

/** Who approved the run (latest approved run-level approval), for summaries. */
export function approvedBy(view: RunView): string | undefined {
  const a = [...view.approvals].reverse().find((x) => x.stepKey === null && x.status === "approved");
  return a?.decidedBy ?? undefined;
}
