import {
  type Block,
  type Button,
  buttons,
  context,
  fields,
  heading,
  type Reply,
  text,
} from "../../chat/reply.js";
import { formatDuration } from "../../lib/clock.js";
import { approvedBy, type RunView } from "../view.js";
import { approvalsCount, describePolicy, runApproval, type ViewApproval } from "./approval-text.js";
import { checklist, clockTime, RUN_LABEL, shortHash } from "./step-line.js";

/**
 * The run's parent message: first the approval request (runbook and version, parameters with secrets
 * masked, targets, the plan as a checklist, requester, approvers, expiry, buttons), then — the same
 * message, re-rendered from the store — the live checklist. A pure function of the run's rows, so any
 * re-render (after a lost update, after a restart) shows the truth.
 */
export const ACTION = {
  approve: "run.approve",
  reject: "run.reject",
  details: "run.details",
  cancel: "run.cancel",
  resume: "run.resume",
  abort: "run.abort",
} as const;

export function renderRunMessage(view: RunView, now: number): Reply {
  const { run } = view;
  const approval = runApproval(view);
  const blocks: Block[] = [heading(`Run ${run.id} · ${run.runbook} · ${statusLabel(view, approval)}`)];
  const info: Record<string, string> = {
    Runbook: `${run.runbook} @ ${shortHash(run.runbookHash)}`,
    "Requested by": run.requestedByName,
  };
  const params = Object.entries(run.params);
  info.Parameters = params.length ? params.map(([k, v]) => `${k}=${v}`).join(" ") : "none";
  info.Targets = run.targets.length ? run.targets.join(", ") : "none";
  if (approval) {
    info.Approvers = describePolicy(approval);
    if (approval.status === "pending")
      info.Expires = `in ${formatDuration(Math.max(0, approval.expiresAt - now))} (${clockTime(approval.expiresAt)})`;
  }
  const by = approvedBy(view);
  if (by) info["Approved by"] = by;
  if (run.startedAt !== null)
    info.Duration =
      formatDuration((run.finishedAt ?? now) - run.startedAt) + (run.finishedAt ? "" : " so far");
  blocks.push(fields(info));
  blocks.push(text(checklist(view)));
  const note = approvalNote(approval, now);
  if (note) blocks.push(context(note));
  if (run.statusReason && !["approved", "rejected", "expired"].includes(run.status))
    blocks.push(context(run.statusReason));
  const list = buttonsFor(view, approval);
  if (list.length > 0) blocks.push(buttons(...list));
  return { blocks, isError: ["failed", "interrupted"].includes(run.status) };
}

function statusLabel(view: RunView, approval: ViewApproval | undefined): string {
  const { run } = view;
  if (run.status === "pending" && approval?.status === "pending" && approval.round > 1)
    return "resume waiting for approval";
  return RUN_LABEL[run.status];
}

function approvalNote(a: ViewApproval | undefined, now: number): string | undefined {
  if (!a) return undefined;
  const voters = a.votes.filter((v) => v.decision === "approve").map((v) => v.userName);
  switch (a.status) {
    case "pending":
      return voters.length > 0
        ? `Approved so far by ${voters.join(", ")} (${approvalsCount(a)} of ${a.minApprovals}).`
        : `Needs ${a.minApprovals} approval${a.minApprovals > 1 ? "s" : ""}.`;
    case "rejected":
      return `Rejected by ${a.decidedBy ?? "an approver"}.`;
    case "expired":
      return `Expired at ${clockTime(a.decidedAt ?? a.expiresAt)}: nobody decided within the time allowed. Request it again to run it.`;
    case "cancelled":
      return a.decidedBy ? `Withdrawn by ${a.decidedBy}.` : undefined;
    default:
      void now;
      return undefined;
  }
}

function buttonsFor(view: RunView, approval: ViewApproval | undefined): Button[] {
  const { run } = view;
  const id = String(run.id);
  const details: Button = { actionId: ACTION.details, label: "Details", value: id };
  switch (run.status) {
    case "pending":
      if (approval?.status !== "pending") return [];
      return [
        { actionId: ACTION.approve, label: "Approve", value: `${id}:${approval.id}`, style: "primary" },
        { actionId: ACTION.reject, label: "Reject", value: `${id}:${approval.id}`, style: "danger" },
        details,
      ];
    case "approved":
    case "running":
      return run.cancelRequestedBy
        ? [details]
        : [{ actionId: ACTION.cancel, label: "Cancel", value: id, style: "danger" }, details];
    case "interrupted":
      return [
        { actionId: ACTION.resume, label: "Resume", value: id, style: "primary" },
        { actionId: ACTION.abort, label: "Abort", value: id, style: "danger" },
        details,
      ];
    default:
      return [];
  }
}

/** Mid-run approval step: its own message in the run's thread, with the same rules. */
export function renderStepApproval(view: RunView, a: ViewApproval, now: number): Reply {
  const blocks: Block[] = [
    text(`Run ${view.run.id} (${view.run.runbook}) asks for approval to continue with step ${a.stepKey}.`),
    fields({ Approvers: describePolicy(a), Status: a.status }),
  ];
  const note = approvalNote(a, now);
  if (note) blocks.push(context(note));
  if (a.status === "pending") {
    blocks.push(
      context(`Expires in ${formatDuration(Math.max(0, a.expiresAt - now))} (${clockTime(a.expiresAt)}).`),
    );
    const value = `${view.run.id}:${a.id}`;
    blocks.push(
      buttons(
        { actionId: ACTION.approve, label: "Approve", value, style: "primary" },
        { actionId: ACTION.reject, label: "Reject", value, style: "danger" },
      ),
    );
  } else if (a.status === "approved") blocks.push(context(`Approved by ${a.decidedBy}.`));
  return { blocks };
}

/** Details: the pinned plan exactly as stored at request time (commands rendered, secrets masked). */
export function renderDetails(view: RunView): Reply {
  const lines = view.steps.map((s, i) => {
    const what = s.command ? `${s.kind}: ${s.command}` : s.kind;
    return `${i + 1}. ${s.key}${s.target ? ` on ${s.target}` : ""}\n   ${what}`;
  });
  return {
    blocks: [
      heading(`Plan of run ${view.run.id} · ${view.run.runbook} @ ${shortHash(view.run.runbookHash)}`),
      { type: "code", text: lines.join("\n") || "(no steps)" },
    ],
    ephemeral: true,
  };
}
