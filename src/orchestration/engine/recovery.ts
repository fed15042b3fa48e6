import type { EngineCore } from "./engine-core.js";
import { missingSecrets, versionOf } from "./request.js";

/**
 * At-most-once after a crash. A step journaled as started but never finished may or may not have
 * happened, so it becomes `interrupted` (outcome unknown) and its run `interrupted`: nothing after it
 * runs until someone resumes (fresh approval) or aborts. The exception is a run whose only unknown
 * steps are idempotent: those are simply run again. Secret parameters live only in memory, so a run
 * that needs them cannot continue by itself either.
 */
export interface RecoveryReport {
  /** Runs that continue now (nothing unknown, or only idempotent steps to repeat). */
  continued: number[];
  interrupted: number[];
  /** Pending requests whose secret parameters were lost; they must be requested again. */
  expired: number[];
  /** Step keys marked interrupted, per run. */
  steps: Record<number, string[]>;
}

export function recoverRuns(core: EngineCore): RecoveryReport {
  const { journal } = core;
  const report: RecoveryReport = { continued: [], interrupted: [], expired: [], steps: {} };

  for (const row of journal.listRuns({ statuses: ["running"], limit: 100_000, oldestFirst: true })) {
    const inFlight = journal.getSteps(row.id).filter((s) => s.status === "running" || s.status === "waiting");
    let idempotent: (stepId: string) => boolean = () => false;
    try {
      const rb = versionOf(core, row).runbook;
      const flags = new Map<string, boolean>();
      for (const s of rb.steps) {
        flags.set(s.id, s.idempotent);
        s.on_failure?.forEach((r, j) => {
          flags.set(r.id ?? `${s.id}-rollback-${j + 1}`, r.idempotent);
        });
      }
      idempotent = (id) => flags.get(id) === true;
    } catch {
      // Without the version nothing is known to be safe to repeat.
    }
    const unsafe = inFlight.filter((s) => !idempotent(s.stepId)).map((s) => s.key);
    const missing = missingSecrets(core, row);
    const canContinue = unsafe.length === 0 && missing.length === 0 && row.cancelRequestedBy === null;
    journal.durable(() => {
      for (const s of inFlight) {
        journal.setStepStatus(row.id, s.key, ["running", "waiting"], "interrupted", "step.interrupted", {
          reason: "opsbot stopped while this step was running; its outcome is unknown",
        });
        if (canContinue)
          journal.setStepStatus(row.id, s.key, ["interrupted"], "pending", "step.retry_after_restart");
      }
      journal.cancelApprovals(row.id);
      if (!canContinue) {
        const reason =
          unsafe.length > 0
            ? `opsbot stopped during ${unsafe.join(", ")}; outcome unknown. Check, then resume ${row.id} (needs approval) or abort ${row.id}.`
            : missing.length > 0
              ? `opsbot restarted and keeps no secret parameters: resume ${row.id} ${missing.map((m) => `${m}=…`).join(" ")}`
              : `opsbot restarted while the run was being cancelled; resume ${row.id} or abort ${row.id}.`;
        journal.transitionRun(row.id, ["running"], "interrupted", { reason });
      } else {
        journal.appendEvent(row.id, "run.recovered", null, null, { retried: inFlight.map((s) => s.key) });
      }
    });
    if (inFlight.length > 0) report.steps[row.id] = inFlight.map((s) => s.key);
    (canContinue ? report.continued : report.interrupted).push(row.id);
  }

  // Approved but not started: they start (after the caller's startWaiting) unless secrets are missing.
  for (const row of journal.listRuns({ statuses: ["approved"], limit: 100_000, oldestFirst: true })) {
    const missing = missingSecrets(core, row);
    if (missing.length === 0) continue;
    journal.transitionRun(row.id, ["approved"], "interrupted", {
      reason: `opsbot restarted and keeps no secret parameters: resume ${row.id} ${missing.map((m) => `${m}=…`).join(" ")}`,
    });
    report.interrupted.push(row.id);
  }

  // Pending requests that carried secrets can never run as requested now.
  for (const row of journal.listRuns({ statuses: ["pending"], limit: 100_000, oldestFirst: true })) {
    if (missingSecrets(core, row).length === 0) continue;
    const resumed = journal.getSteps(row.id).some((s) => s.status === "interrupted");
    if (resumed) {
      // Not an end: the outcome of its interrupted steps is still unknown, so it keeps its locks.
      journal.durable(() => {
        journal.cancelApprovals(row.id);
        journal.transitionRun(row.id, ["pending"], "interrupted", {
          reason: `opsbot restarted and keeps no secret parameters: resume ${row.id} again with them`,
        });
      });
    } else {
      journal.endRun(row.id, ["pending"], "expired", {
        reason: "opsbot restarted and keeps no secret parameters; request the run again",
      });
    }
    (resumed ? report.interrupted : report.expired).push(row.id);
  }
  return report;
}
