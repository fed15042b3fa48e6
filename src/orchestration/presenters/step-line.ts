import { formatDuration } from "../../lib/clock.js";
import { formatClock } from "../../lib/time-format.js";
import type { RunStatus, StepRow, StepStatus } from "../types.js";
import type { RunView } from "../view.js";

/**
 * The words and marks every run presenter shares: one mark per step status, one label per run
 * status, one line per step. `run status` and the live parent message both print `checklist`, so a
 * step reads the same wherever it is shown.
 */
export const STEP_MARK: Record<StepStatus, string> = {
  pending: "○",
  running: "▶",
  waiting: "⏸",
  succeeded: "✓",
  failed: "✗",
  skipped: "–",
  cancelled: "⊘",
  interrupted: "⚠",
};

export const RUN_LABEL: Record<RunStatus, string> = {
  pending: "waiting for approval",
  approved: "approved, starting",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
  interrupted: "interrupted — outcome unknown",
  rejected: "rejected",
  expired: "expired",
  aborted: "aborted",
};

export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

/** A wall-clock time for chat ("14:02 UTC", in the configured zone): true whenever the message is read, unlike "2m ago". */
export function clockTime(ms: number): string {
  return formatClock(ms);
}

/**
 * One step: mark, name (and key, when it differs), target, then how it stands. A running step says
 * since when, not for how long: a chat message is re-rendered on events, not every second, and "since
 * 14:02" stays true between re-renders where "running 2m" would not.
 */
export function stepLine(s: StepRow): string {
  const what = s.rollbackOf ? `↩ ${s.name} (rollback of ${s.rollbackOf})` : s.name;
  const key = s.key !== s.name && !s.rollbackOf ? ` [${s.key}]` : "";
  const where = s.target && !s.key.endsWith(`@${s.target}`) ? ` on ${s.target}` : "";
  let tail = "";
  if (s.status === "running")
    tail = s.startedAt !== null ? ` — running since ${clockTime(s.startedAt)}` : " — running";
  else if (s.status === "waiting") tail = " — waiting for approval";
  else if (s.status === "interrupted") tail = " — interrupted";
  else if (s.durationMs !== null && s.status !== "pending" && s.status !== "skipped")
    tail = ` — ${formatDuration(s.durationMs)}`;
  if (s.attempt > 1) tail += ` (attempt ${s.attempt})`;
  if (s.error) tail += `: ${s.error}`;
  return `${STEP_MARK[s.status]} ${what}${key}${where}${tail}`;
}

/** The checklist as text (a rollback shows once it has been triggered). Also what the console shows. */
export function checklist(view: RunView): string {
  const shown = view.steps.filter((s) => !s.rollbackOf || s.status !== "pending");
  return shown.map(stepLine).join("\n") || "(no steps)";
}
