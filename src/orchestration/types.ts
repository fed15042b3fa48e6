/**
 * The orchestration state machines. Every status change is one conditional UPDATE in the store
 * (see journal.ts / journal-approvals.ts), so concurrent actors (engine, approver, canceller) cannot both win.
 *
 * Run:  pending → approved → running → succeeded | failed | cancelled
 *       pending → rejected | expired | cancelled         approved → cancelled
 *       running → interrupted (crash with a step of unknown outcome) → pending (resume) | aborted
 */
export const RUN_STATUSES = [
  "pending",
  "approved",
  "running",
  "succeeded",
  "failed",
  "cancelled",
  "interrupted",
  "rejected",
  "expired",
  "aborted",
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** What a run status change records: its reason, and the journal entry (default `run.<status>`). */
export interface TransitionOptions {
  reason?: string | null;
  event?: string;
  detail?: object;
}

export const FINAL_RUN_STATUSES: readonly RunStatus[] = [
  "succeeded",
  "failed",
  "cancelled",
  "rejected",
  "expired",
  "aborted",
];
/** Runs that hold or wait for resources and show up in `runs active`. */
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ["pending", "approved", "running", "interrupted"];

/**
 * Step instance: pending → running (journaled before the action) → succeeded | failed | cancelled;
 * an approval step waits in `waiting`; a crash leaves `interrupted` (outcome unknown); steps that
 * never ran because the run stopped end `skipped`.
 */
export const STEP_STATUSES = [
  "pending",
  "running",
  "waiting",
  "succeeded",
  "failed",
  "skipped",
  "cancelled",
  "interrupted",
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const APPROVAL_STATUSES = ["pending", "approved", "rejected", "expired", "cancelled"] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export interface RunRow {
  id: number;
  runbook: string;
  runbookHash: string;
  status: RunStatus;
  /** Secret values masked. */
  params: Record<string, string>;
  secretParams: string[];
  targets: string[];
  locks: string[];
  requestedBy: string;
  requestedByName: string;
  channel: string;
  threadTs: string | null;
  requestedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  cancelRequestedBy: string | null;
  statusReason: string | null;
  updatedAt: number;
}

export interface StepRow {
  runId: number;
  key: string;
  stepId: string;
  name: string;
  kind: string;
  target: string | null;
  ordinal: number;
  rollbackOf: string | null;
  status: StepStatus;
  attempt: number;
  command: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  durationMs: number | null;
  exitCode: number | null;
  error: string | null;
  outputBytes: number;
  outputTruncated: boolean;
}

export interface JournalEntry {
  /** Position in its run's journal, from 1 (entries of different runs are not ordered by it). */
  seq: number;
  runId: number;
  at: number;
  event: string;
  stepKey: string | null;
  attempt: number | null;
  detail: Record<string, unknown> | null;
}

export interface ApprovalRow {
  id: number;
  runId: number;
  stepKey: string | null;
  round: number;
  status: ApprovalStatus;
  approvers: string[];
  minApprovals: number;
  allowSelf: boolean;
  requestedBy: string;
  requestedAt: number;
  expiresAt: number;
  decidedAt: number | null;
  decidedBy: string | null;
  messageChannel: string | null;
  messageTs: string | null;
}

export interface VoteRow {
  approvalId: number;
  userId: string;
  userName: string;
  decision: "approve" | "reject";
  at: number;
}
