import { type Block, code, context, fields, heading, type Reply, text } from "../../chat/reply.js";
import { formatAge, formatDuration } from "../../lib/clock.js";
import type { RunRow } from "../types.js";
import { approvedBy, type RunView } from "../view.js";
import { checklist, RUN_LABEL, shortHash } from "./step-line.js";

/**
 * `run status`: the checklist (the same lines as the live parent message), who asked and approved,
 * pending approvals, and the latest output of the step worth looking at.
 */
export function renderRun(
  view: RunView,
  now: number,
  options: { outputTail?: string; tailStep?: string } = {},
): Reply {
  const { run } = view;
  const blocks: Block[] = [
    heading(`Run ${run.id} · ${run.runbook} · ${RUN_LABEL[run.status]}`),
    text(checklist(view)),
  ];
  const params = Object.entries(run.params);
  const info: Record<string, string> = {
    Version: shortHash(run.runbookHash),
    "Requested by": `${run.requestedByName} ${formatAge(now - run.requestedAt)}`,
  };
  if (params.length > 0) info.Parameters = params.map(([k, v]) => `${k}=${v}`).join(" ");
  if (run.targets.length > 0) info.Targets = run.targets.join(", ");
  const by = approvedBy(view);
  if (by) info["Approved by"] = by;
  const pending = view.approvals.filter((a) => a.status === "pending");
  for (const a of pending) {
    const votes = a.votes.filter((v) => v.decision === "approve").length;
    info[a.stepKey ? `Approval for ${a.stepKey}` : "Approval"] =
      `${a.approvers.join(", ")} · ${votes}/${a.minApprovals} · expires in ${formatDuration(Math.max(0, a.expiresAt - now))}`;
  }
  if (run.startedAt && run.finishedAt) info.Duration = formatDuration(run.finishedAt - run.startedAt);
  blocks.push(fields(info));
  if (options.outputTail) {
    blocks.push(text(`Output of ${options.tailStep}:`), code(options.outputTail.replace(/\n$/, "")));
  }
  if (run.statusReason) blocks.push(context(run.statusReason));
  const hint = nextHint(run);
  if (hint) blocks.push(context(hint));
  return { blocks, isError: ["failed", "interrupted"].includes(run.status) };
}

function nextHint(run: RunRow): string | undefined {
  switch (run.status) {
    case "running":
    case "approved":
      return `\`cancel ${run.id}\` stops it and runs the rollback steps.`;
    case "interrupted":
      return `\`resume ${run.id}\` (needs approval; add --skip-interrupted if you checked the step completed) or \`abort ${run.id}\`.`;
    default:
      return undefined;
  }
}
