import type { ApprovalRow, VoteRow } from "../types.js";
import type { RunView } from "../view.js";

/**
 * Reading an approval policy for people: who may decide, how many are needed, whether the requester
 * counts. The decision itself is journal-approvals.ts (one compare-and-set in the store); this is display and
 * lookup only.
 */
export function describeApprovers(approvers: readonly string[]): string {
  return approvers
    .map((entry) => {
      const i = entry.indexOf(":");
      const [kind, value] = i < 0 ? ["role", entry] : [entry.slice(0, i), entry.slice(i + 1)];
      return kind === "user" ? value : `${value} (${kind})`;
    })
    .join(", ");
}

export function describePolicy(a: Pick<ApprovalRow, "approvers" | "minApprovals" | "allowSelf">): string {
  const who = describeApprovers(a.approvers);
  const count = a.minApprovals > 1 ? `${a.minApprovals} different people from ` : "";
  return `${count}${who}${a.allowSelf ? "" : " · not the requester"}`;
}

export type ViewApproval = ApprovalRow & { votes: VoteRow[] };

/** The run-level approval shown on the request message: the latest round. */
export function runApproval(view: RunView): ViewApproval | undefined {
  return [...view.approvals].reverse().find((a) => a.stepKey === null);
}

/**
 * The approval a chat decision is about. A button carries its approval id (so a click on an old round
 * can never decide a new one); a typed `approve <run>` means the run's pending approval, if exactly one
 * is pending. The value only selects *what* is decided — never who decides.
 */
export function targetApproval(
  view: RunView,
  approvalId: number | undefined,
): { ok: true; approval: ViewApproval } | { ok: false; reason: string } {
  if (approvalId !== undefined) {
    const a = view.approvals.find((x) => x.id === approvalId);
    return a
      ? { ok: true, approval: a }
      : { ok: false, reason: `That button does not belong to run ${view.run.id}.` };
  }
  const pending = view.approvals.filter((a) => a.status === "pending");
  if (pending.length === 1) return { ok: true, approval: pending[0]! };
  if (pending.length > 1)
    return {
      ok: false,
      reason: `Run ${view.run.id} waits for several approvals; use the buttons in its thread.`,
    };
  const last = view.approvals.at(-1);
  if (last) return { ok: true, approval: last }; // decided already: the decision answers who won
  return { ok: false, reason: `Run ${view.run.id} needs no approval.` };
}

export function approvalsCount(a: ViewApproval): number {
  return a.votes.filter((v) => v.decision === "approve").length;
}

/** "12:3" → run 12, approval 3; "12" → run 12. */
export function parseApprovalValue(value: string): { runId: number; approvalId?: number } | undefined {
  const m = /^#?(\d+)(?::(\d+))?$/.exec(value.trim());
  if (!m) return undefined;
  return { runId: Number(m[1]), ...(m[2] ? { approvalId: Number(m[2]) } : {}) };
}
