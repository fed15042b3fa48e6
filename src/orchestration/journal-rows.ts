import type {
  ApprovalRow,
  ApprovalStatus,
  JournalEntry,
  RunRow,
  RunStatus,
  StepRow,
  StepStatus,
} from "./types.js";

/** Row mappers: snake_case SQLite rows → the typed records the rest of orchestration uses. */
export function toRun(r: Record<string, unknown>): RunRow {
  return {
    id: r.id as number,
    runbook: r.runbook as string,
    runbookHash: r.runbook_hash as string,
    status: r.status as RunStatus,
    params: JSON.parse(r.params as string) as Record<string, string>,
    secretParams: JSON.parse(r.secret_params as string) as string[],
    targets: JSON.parse(r.targets as string) as string[],
    locks: JSON.parse(r.locks as string) as string[],
    requestedBy: r.requested_by as string,
    requestedByName: r.requested_by_name as string,
    channel: r.channel as string,
    threadTs: (r.thread_ts as string | null) ?? null,
    requestedAt: r.requested_at as number,
    startedAt: (r.started_at as number | null) ?? null,
    finishedAt: (r.finished_at as number | null) ?? null,
    cancelRequestedBy: (r.cancel_requested_by as string | null) ?? null,
    statusReason: (r.status_reason as string | null) ?? null,
    updatedAt: r.updated_at as number,
  };
}

export function toStep(r: Record<string, unknown>): StepRow {
  return {
    runId: r.run_id as number,
    key: r.key as string,
    stepId: r.step_id as string,
    name: r.name as string,
    kind: r.kind as string,
    target: (r.target as string | null) ?? null,
    ordinal: r.ordinal as number,
    rollbackOf: (r.rollback_of as string | null) ?? null,
    status: r.status as StepStatus,
    attempt: r.attempt as number,
    command: (r.command as string | null) ?? null,
    startedAt: (r.started_at as number | null) ?? null,
    finishedAt: (r.finished_at as number | null) ?? null,
    durationMs: (r.duration_ms as number | null) ?? null,
    exitCode: (r.exit_code as number | null) ?? null,
    error: (r.error as string | null) ?? null,
    outputBytes: r.output_bytes as number,
    outputTruncated: r.output_truncated === 1,
  };
}

export function toEntry(r: Record<string, unknown>): JournalEntry {
  return {
    seq: r.seq as number,
    runId: r.run_id as number,
    at: r.at as number,
    event: r.event as string,
    stepKey: (r.step_key as string | null) ?? null,
    attempt: (r.attempt as number | null) ?? null,
    detail: r.detail ? (JSON.parse(r.detail as string) as Record<string, unknown>) : null,
  };
}

export function toApproval(r: Record<string, unknown>): ApprovalRow {
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
