import type { ChatUser } from "../lib/actor.js";
import type { Store } from "../store/store.js";
import type { ApprovalRow, ApprovalStatus, VoteRow } from "./types.js";

/**
 * Approvals as a store-level state machine. A decision is one durable transaction: read, check the
 * policy, record the vote (one per person: a double click changes nothing), count, and flip the status
 * with a conditional UPDATE — so two approvers clicking at once can never both "win", nor count twice.
 * Identity is the ChatUser the transport resolved (payload + config), never text or button values.
 * The run-level approval also moves the run (pending → approved | rejected | expired) in the same
 * transaction; mid-run approval steps are resolved by the engine when it hears about the decision.
 */
export interface ApprovalPolicy {
  /** role:<name>, user:<id or name>; a bare word is a role. */
  approvers: string[];
  minApprovals: number;
  allowSelf: boolean;
  expiresInMs: number;
}

export type Decision = "approve" | "reject";

export type DecisionResult =
  | { outcome: "approved" | "rejected"; approval: ApprovalRow; decidedBy: string }
  | { outcome: "counted"; approval: ApprovalRow; approvals: number; needed: number }
  | { outcome: "duplicate"; approval: ApprovalRow; previous: Decision }
  | { outcome: "already_decided"; approval: ApprovalRow; status: ApprovalStatus; decidedBy: string | null }
  | { outcome: "expired"; approval: ApprovalRow }
  | { outcome: "not_allowed"; approval: ApprovalRow; reason: string }
  | { outcome: "not_found" };

export function createApproval(
  store: Store,
  input: {
    runId: number;
    stepKey?: string;
    round?: number;
    policy: ApprovalPolicy;
    requestedBy: string;
    now: number;
  },
): number {
  const run = () =>
    Number(
      store.db
        .prepare(`INSERT INTO approvals (run_id, step_key, round, status, approvers, min_approvals, allow_self,
          requested_by, requested_at, expires_at) VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)`)
        .run(
          input.runId,
          input.stepKey ?? null,
          input.round ?? 1,
          JSON.stringify(input.policy.approvers),
          input.policy.minApprovals,
          input.policy.allowSelf ? 1 : 0,
          input.requestedBy,
          input.now,
          input.now + input.policy.expiresInMs,
        ).lastInsertRowid,
    );
  return store.db.inTransaction ? run() : store.durable(run);
}

/** Whether `user` may decide, by policy alone (not by the approval's current state). */
export function mayDecide(
  approval: Pick<ApprovalRow, "approvers" | "allowSelf" | "requestedBy">,
  user: ChatUser,
): { ok: true } | { ok: false; reason: string } {
  const listed = approval.approvers.some((entry) => {
    const [kind, value] = entry.includes(":") ? (entry.split(/:(.*)/s) as [string, string]) : ["role", entry];
    // By id only: a Slack display name is chosen by its owner (console users' ids are their names).
    if (kind === "user") return user.id === value;
    return user.roles.includes(value);
  });
  if (!listed) return { ok: false, reason: `only ${approval.approvers.join(", ")} may decide this` };
  if (!approval.allowSelf && user.id === approval.requestedBy) {
    return { ok: false, reason: "you requested this run; another approver has to decide" };
  }
  return { ok: true };
}

export function decideApproval(
  store: Store,
  input: { approvalId: number; user: ChatUser; decision: Decision; now: number },
): DecisionResult {
  const { db } = store;
  return store.durable((): DecisionResult => {
    const approval = getApproval(store, input.approvalId);
    if (!approval) return { outcome: "not_found" };
    if (approval.status !== "pending") {
      return { outcome: "already_decided", approval, status: approval.status, decidedBy: approval.decidedBy };
    }
    if (input.now >= approval.expiresAt) {
      expireOne(store, approval, input.now);
      return { outcome: "expired", approval: getApproval(store, approval.id)! };
    }
    const allowed = mayDecide(approval, input.user);
    if (!allowed.ok) return { outcome: "not_allowed", approval, reason: allowed.reason };

    const inserted = db
      .prepare(`INSERT INTO approval_votes (approval_id, user_id, user_name, decision, at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT(approval_id, user_id) DO NOTHING`)
      .run(approval.id, input.user.id, input.user.name, input.decision, input.now).changes;
    if (inserted === 0) {
      const prev = db
        .prepare("SELECT decision FROM approval_votes WHERE approval_id = ? AND user_id = ?")
        .get(approval.id, input.user.id) as { decision: Decision };
      return { outcome: "duplicate", approval, previous: prev.decision };
    }
    event(store, approval.runId, `approval.${input.decision}`, approval.stepKey, input.now, {
      approvalId: approval.id,
      by: input.user.name,
    });

    if (input.decision === "reject") {
      settle(store, approval, "rejected", input.user.name, input.now);
      return { outcome: "rejected", approval: getApproval(store, approval.id)!, decidedBy: input.user.name };
    }
    const approvers = (
      db
        .prepare(
          "SELECT user_name FROM approval_votes WHERE approval_id = ? AND decision = 'approve' ORDER BY at, user_id",
        )
        .all(approval.id) as { user_name: string }[]
    ).map((r) => r.user_name);
    if (approvers.length < approval.minApprovals) {
      return { outcome: "counted", approval, approvals: approvers.length, needed: approval.minApprovals };
    }
    const by = approvers.join(", ");
    settle(store, approval, "approved", by, input.now);
    return { outcome: "approved", approval: getApproval(store, approval.id)!, decidedBy: by };
  });
}

/** Expires every pending approval whose time is up; returns the ones this call expired. */
export function expireApprovals(store: Store, now: number): ApprovalRow[] {
  return store.durable(() => {
    const due = (
      store.db.prepare("SELECT id FROM approvals WHERE status = 'pending' AND expires_at <= ?").all(now) as {
        id: number;
      }[]
    ).map((r) => getApproval(store, r.id)!);
    return due.filter((a) => expireOne(store, a, now));
  });
}

/** Withdraws pending approvals of a run (cancelled or aborted before anyone decided). */
export function cancelApprovals(store: Store, runId: number, now: number): number {
  const run = () =>
    store.db
      .prepare(
        "UPDATE approvals SET status = 'cancelled', decided_at = ? WHERE run_id = ? AND status = 'pending'",
      )
      .run(now, runId).changes;
  return store.db.inTransaction ? run() : store.durable(run);
}

export function getApproval(store: Store, id: number): ApprovalRow | undefined {
  const r = store.db.prepare("SELECT * FROM approvals WHERE id = ?").get(id) as
    | Record<string, unknown>
    | undefined;
  return r ? toApproval(r) : undefined;
}

export function approvalsForRun(store: Store, runId: number): ApprovalRow[] {
  return (
    store.db.prepare("SELECT * FROM approvals WHERE run_id = ? ORDER BY id").all(runId) as Record<
      string,
      unknown
    >[]
  ).map(toApproval);
}

export function votesFor(store: Store, approvalId: number): VoteRow[] {
  return (
    store.db
      .prepare("SELECT * FROM approval_votes WHERE approval_id = ? ORDER BY at, user_id")
      .all(approvalId) as Record<string, unknown>[]
  ).map((r) => ({
    approvalId: r.approval_id as number,
    userId: r.user_id as string,
    userName: r.user_name as string,
    decision: r.decision as Decision,
    at: r.at as number,
  }));
}

/** Records where the request's buttons were posted, so a reporter can update or remove them. */
export function setApprovalMessage(
  store: Store,
  approvalId: number,
  ref: { channel: string; ts: string },
): void {
  store.db
    .prepare("UPDATE approvals SET message_channel = ?, message_ts = ? WHERE id = ?")
    .run(ref.channel, ref.ts, approvalId);
}

function settle(
  store: Store,
  a: ApprovalRow,
  to: "approved" | "rejected" | "expired",
  by: string | null,
  now: number,
): boolean {
  const won =
    store.db
      .prepare(
        "UPDATE approvals SET status = ?, decided_at = ?, decided_by = ? WHERE id = ? AND status = 'pending'",
      )
      .run(to, now, by, a.id).changes > 0;
  if (!won) return false;
  if (a.stepKey === null && a.round > 1 && to !== "approved") {
    // A resume that is not approved leaves the run interrupted: its outcome is still unknown, so it
    // keeps its locks until someone resumes it again or aborts it.
    const moved =
      store.db
        .prepare(
          "UPDATE runs SET status = 'interrupted', updated_at = ?, status_reason = ? WHERE id = ? AND status = 'pending'",
        )
        .run(now, `resume ${to}${by ? ` by ${by}` : ""}`, a.runId).changes > 0;
    if (moved)
      event(store, a.runId, `run.resume_${to}`, null, now, { approvalId: a.id, ...(by ? { by } : {}) });
  } else if (a.stepKey === null) {
    const final = to !== "approved";
    const moved =
      store.db
        .prepare(
          "UPDATE runs SET status = ?, updated_at = ?, status_reason = ?, finished_at = ? WHERE id = ? AND status = 'pending'",
        )
        .run(to, now, by ? `${to} by ${by}` : to, final ? now : null, a.runId).changes > 0;
    if (moved && final) store.db.prepare("DELETE FROM run_locks WHERE run_id = ?").run(a.runId);
    if (moved) event(store, a.runId, `run.${to}`, null, now, { approvalId: a.id, ...(by ? { by } : {}) });
  } else {
    event(store, a.runId, `approval.${to}`, a.stepKey, now, { approvalId: a.id, ...(by ? { by } : {}) });
  }
  return true;
}

function expireOne(store: Store, a: ApprovalRow, now: number): boolean {
  return settle(store, a, "expired", null, now);
}

function event(
  store: Store,
  runId: number,
  name: string,
  stepKey: string | null,
  at: number,
  detail: object,
): void {
  store.db
    .prepare(
      "INSERT INTO run_journal (run_id, at, event, step_key, attempt, detail) VALUES (?, ?, ?, ?, NULL, ?)",
    )
    .run(runId, at, name, stepKey, JSON.stringify(detail));
}

function toApproval(r: Record<string, unknown>): ApprovalRow {
  return {
    id: r.id as number,
    runId: r.run_id as number,
    stepKey: (r.step_key as string | null) ?? null,
    round: r.round as number,
    status: r.status as ApprovalStatus,
    approvers: JSON.parse(r.approvers as string) as string[],
    minApprovals: r.min_approvals as number,
    allowSelf: r.allow_self === 1,
    requestedBy: r.requested_by as string,
    requestedAt: r.requested_at as number,
    expiresAt: r.expires_at as number,
    decidedAt: (r.decided_at as number | null) ?? null,
    decidedBy: (r.decided_by as string | null) ?? null,
    messageChannel: (r.message_channel as string | null) ?? null,
    messageTs: (r.message_ts as string | null) ?? null,
  };
}
