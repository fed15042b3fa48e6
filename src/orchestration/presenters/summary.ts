import { context, type Reply, text } from "../../chat/reply.js";
import { formatDuration } from "../../lib/clock.js";
import { approvedBy, type RunView } from "../view.js";
import { RUN_LABEL } from "./step-line.js";

/** The message that closes a run's thread: result, duration, who approved, and the requester, mentioned. */
export function renderSummary(view: RunView): Reply {
  const { run } = view;
  const ok = run.status === "succeeded";
  const took =
    run.startedAt !== null && run.finishedAt !== null
      ? ` in ${formatDuration(run.finishedAt - run.startedAt)}`
      : "";
  const failed = view.steps.filter((s) => s.status === "failed").map((s) => s.key);
  const parts = [`${ok ? "✓" : "✗"} Run ${run.id} (${run.runbook}) ${RUN_LABEL[run.status]}${took}.`];
  if (failed.length > 0) parts.push(`Failed: ${failed.join(", ")}.`);
  const by = approvedBy(view);
  const who = [`Requested by ${run.requestedByName}`, by ? `approved by ${by}` : undefined].filter(Boolean);
  const blocks = [text(parts.join(" ")), context(`${who.join(", ")}.`)];
  if (run.statusReason && !ok) blocks.push(context(run.statusReason));
  return { blocks, isError: !ok, mention: [run.requestedBy] };
}

/** Posted into the thread when a restart left the run with a step of unknown outcome. */
export function renderInterrupted(view: RunView): Reply {
  const { run } = view;
  const steps = view.steps.filter((s) => s.status === "interrupted").map((s) => s.key);
  // A connection lost mid-step says so (engine/interrupted-reason.ts); otherwise opsbot itself stopped.
  const lost = run.statusReason?.includes("— outcome unknown;") === true;
  return {
    blocks: [
      text(
        lost
          ? `⚠ Run ${run.id} (${run.runbook}): ${run.statusReason} Nothing more runs until then.`
          : `⚠ Run ${run.id} was interrupted: opsbot stopped while ${steps.length ? steps.join(", ") : "a step"} was running, so its outcome is unknown. Nothing more runs until someone resumes it (needs a fresh approval) or aborts it.`,
      ),
      {
        type: "buttons",
        buttons: [
          { actionId: "run.resume", label: "Resume", value: String(run.id), style: "primary" },
          { actionId: "run.abort", label: "Abort", value: String(run.id), style: "danger" },
        ],
      },
    ],
    isError: true,
    mention: [run.requestedBy],
  };
}
