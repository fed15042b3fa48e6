import type { ChatUser } from "../lib/actor.js";
import type { Clock } from "../lib/clock.js";
import type { Db } from "../store/store.js";
import { toApproval } from "./journal-rows.js";
import type { ApprovalRow, ApprovalStatus, RunStatus, TransitionOptions, VoteRow } from "./types.js";

/**
 * Approvals as a store-level state machine, part of the journal (which spreads these methods into
 * itself, so a decision's journal entries and run changes have one writer). A decision is one durable
 * transaction: read, check the policy, record the vote (one per person: a double click changes
 * nothing), count, and flip the status with a conditional UPDATE — so two approvers clicking at once
 * can never both "win", nor count twice. Identity is the ChatUser the transport resolved (payload +
 * config), never text or button values. The run-level approval also moves the run (pending → approved
 * | rejected | expired) in the same transaction; mid-run approval steps are resolved by the engine when
 * it hears about the decision.
 */
export interface ApprovalPolicy {
  /** role:<name>, user:<id or name>; a bare word is a role. */
  approvers: string[];
  minApprovals: number;
  allowSelf: boolean;
  expiresInMs: number;
}

/** One person's vote on an approval. */
export type Vote = "approve" | "reject";

export type DecisionResult =
  | { outcome: "approved" | "rejected"; approval: ApprovalRow; decidedBy: string }
  | { outcome: "counted"; approval: ApprovalRow; approvals: number; needed: number }
  | { outcome: "duplicate"; approval: ApprovalRow; previous: Vote }
  | { outcome: "already_decided"; approval: ApprovalRow; status: ApprovalStatus; decidedBy: string | null }
  | { outcome: "expired"; approval: ApprovalRow }
  | { outcome: "not_allowed"; approval: ApprovalRow; reason: string }
  | { outcome: "not_found" };

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

/** What a settled run-level approval does to its run: the journal's own methods. */
export interface RunMoves {
  durably<T>(fn: () => T): T;
  appendEvent(runId: number, event: string, stepKey?: string | null, attempt?: null, detail?: object): void;
  transitionRun(id: number, from: readonly RunStatus[], to: RunStatus, opts: TransitionOptions): boolean;
  endRun(id: number, from: readonly RunStatus[], to: RunStatus, opts: TransitionOptions): boolean;
}

export function createApprovalTable(deps: { db: Db; clock: Clock; runs: RunMoves }) {
  const { db, clock, runs } = deps;
  const now = () => clock.now();
  const s = {
    insert: db.prepare(`INSERT INTO approvals (run_id, step_key, round, status, approvers, min_approvals,
      allow_self, requested_by, requested_at, expires_at) VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)`),
    get: db.prepare("SELECT * FROM approvals WHERE id = ?"),
    forRun: db.prepare("SELECT * FROM approvals WHERE run_id = ? ORDER BY id"),
    due: db.prepare("SELECT id FROM approvals WHERE status = 'pending' AND expires_at <= ?"),
    cancel: db.prepare(
      "UPDATE approvals SET status = 'cancelled', decided_at = ? WHERE run_id = ? AND status = 'pending'",
    ),
    settle: db.prepare(
      "UPDATE approvals SET status = ?, decided_at = ?, decided_by = ? WHERE id = ? AND status = 'pending'",
    ),
    message: db.prepare("UPDATE approvals SET message_channel = ?, message_ts = ? WHERE id = ?"),
    lastRound: db.prepare("SELECT MAX(round) AS r FROM approvals WHERE run_id = ? AND step_key IS NULL"),
    vote: db.prepare(`INSERT INTO approval_votes (approval_id, user_id, user_name, decision, at)
      VALUES (?, ?, ?, ?, ?) ON CONFLICT(approval_id, user_id) DO NOTHING`),
    previousVote: db.prepare("SELECT decision FROM approval_votes WHERE approval_id = ? AND user_id = ?"),
    approvers: db.prepare(
      "SELECT user_name FROM approval_votes WHERE approval_id = ? AND decision = 'approve' ORDER BY at, user_id",
    ),
    votes: db.prepare("SELECT * FROM approval_votes WHERE approval_id = ? ORDER BY at, user_id"),
  };

  function getApproval(id: number): ApprovalRow | undefined {
    const r = s.get.get(id) as Record<string, unknown> | undefined;
    return r ? toApproval(r) : undefined;
  }

  function settle(a: ApprovalRow, to: "approved" | "rejected" | "expired", by: string | null): boolean {
    if (s.settle.run(to, now(), by, a.id).changes === 0) return false;
    const detail = { approvalId: a.id, ...(by ? { by } : {}) };
    if (a.stepKey === null && a.round > 1 && to !== "approved") {
      // A resume that is not approved leaves the run interrupted: its outcome is still unknown, so it
      // keeps its locks until someone resumes it again or aborts it.
      const reason = `resume ${to}${by ? ` by ${by}` : ""}`;
      runs.transitionRun(a.runId, ["pending"], "interrupted", { reason, event: `run.resume_${to}`, detail });
    } else if (a.stepKey === null) {
      const reason = by ? `${to} by ${by}` : to;
      if (to === "approved") runs.transitionRun(a.runId, ["pending"], to, { reason, detail });
      else runs.endRun(a.runId, ["pending"], to, { reason, detail });
    } else {
      runs.appendEvent(a.runId, `approval.${to}`, a.stepKey, null, detail);
    }
    return true;
  }

  return {
    createApproval(input: {
      runId: number;
      stepKey?: string;
      round?: number;
      policy: ApprovalPolicy;
      requestedBy: string;
    }): number {
      const at = now();
      return runs.durably(() =>
        Number(
          s.insert.run(
            input.runId,
            input.stepKey ?? null,
            input.round ?? 1,
            JSON.stringify(input.policy.approvers),
            input.policy.minApprovals,
            input.policy.allowSelf ? 1 : 0,
            input.requestedBy,
            at,
            at + input.policy.expiresInMs,
          ).lastInsertRowid,
        ),
      );
    },

    decideApproval(input: { approvalId: number; user: ChatUser; decision: Vote }): DecisionResult {
      return runs.durably((): DecisionResult => {
        const at = now();
        const approval = getApproval(input.approvalId);
        if (!approval) return { outcome: "not_found" };
        if (approval.status !== "pending") {
          return {
            outcome: "already_decided",
            approval,
            status: approval.status,
            decidedBy: approval.decidedBy,
          };
        }
        if (at >= approval.expiresAt) {
          settle(approval, "expired", null);
          return { outcome: "expired", approval: getApproval(approval.id)! };
        }
        const allowed = mayDecide(approval, input.user);
        if (!allowed.ok) return { outcome: "not_allowed", approval, reason: allowed.reason };

        if (s.vote.run(approval.id, input.user.id, input.user.name, input.decision, at).changes === 0) {
          const prev = s.previousVote.get(approval.id, input.user.id) as { decision: Vote };
          return { outcome: "duplicate", approval, previous: prev.decision };
        }
        runs.appendEvent(approval.runId, `approval.${input.decision}`, approval.stepKey, null, {
          approvalId: approval.id,
          by: input.user.name,
        });

        if (input.decision === "reject") {
          settle(approval, "rejected", input.user.name);
          return { outcome: "rejected", approval: getApproval(approval.id)!, decidedBy: input.user.name };
        }
        const approvers = (s.approvers.all(approval.id) as { user_name: string }[]).map((r) => r.user_name);
        if (approvers.length < approval.minApprovals) {
          return { outcome: "counted", approval, approvals: approvers.length, needed: approval.minApprovals };
        }
        const by = approvers.join(", ");
        settle(approval, "approved", by);
        return { outcome: "approved", approval: getApproval(approval.id)!, decidedBy: by };
      });
    },

    /** Expires every pending approval whose time is up; returns the ones this call expired. */
    expireApprovals(): ApprovalRow[] {
      return runs.durably(() => {
        const due = (s.due.all(now()) as { id: number }[]).map((r) => getApproval(r.id)!);
        return due.filter((a) => settle(a, "expired", null));
      });
    },

    /** Withdraws pending approvals of a run (cancelled or aborted before anyone decided). */
    cancelApprovals(runId: number): number {
      return runs.durably(() => s.cancel.run(now(), runId).changes);
    },

    getApproval,

    approvalsForRun(runId: number): ApprovalRow[] {
      return (s.forRun.all(runId) as Record<string, unknown>[]).map(toApproval);
    },

    /** The latest round of a run's own approval (a resume asks for the next one). */
    lastApprovalRound(runId: number): number | null {
      return (s.lastRound.get(runId) as { r: number | null }).r;
    },

    votesFor(approvalId: number): VoteRow[] {
      return (s.votes.all(approvalId) as Record<string, unknown>[]).map((r) => ({
        approvalId: r.approval_id as number,
        userId: r.user_id as string,
        userName: r.user_name as string,
        decision: r.decision as Vote,
        at: r.at as number,
      }));
    },

    /** Records where the request's buttons were posted, so a reporter can update or remove them. */
    setApprovalMessage(approvalId: number, ref: { channel: string; ts: string }): void {
      s.message.run(ref.channel, ref.ts, approvalId);
    },
  };
}
