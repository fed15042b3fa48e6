import type { ChatUser } from "../../lib/actor.js";
import { ConflictError, NotFoundError, PermissionError, UsageError } from "../../lib/errors.js";
import { mayDecide } from "../journal-approvals.js";
import { checkParam } from "../params.js";
import { ABORT_CANCEL } from "../steps/types.js";
import type { RunRow } from "../types.js";
import type { EngineCore } from "./engine-core.js";
import { policyOf, versionOf } from "./request.js";

/**
 * What people do to a run besides approving it: cancel (stop and roll back), abort (end a run that
 * is not executing, running nothing more) and resume (continue an interrupted run after a fresh
 * approval). Each is a compare-and-set; permission is the requester, an approver or an admin.
 */
export function createControls(core: EngineCore) {
  const { journal, deps, lifecycle } = core;
  const now = () => deps.clock.now();

  function mayControl(row: RunRow, user: ChatUser): boolean {
    if (user.id === row.requestedBy || user.roles.includes("admin")) return true;
    const rb = deps.runbook(row.runbook)?.runbook ?? versionOf(core, row).runbook;
    return mayDecide({ approvers: rb.approvers ?? [], allowSelf: true, requestedBy: row.requestedBy }, user)
      .ok;
  }

  function controlled(runId: number, user: ChatUser, verb: string): RunRow {
    const row = journal.getRun(runId);
    if (!row) throw new NotFoundError(`No run ${runId}.`, ["`runs` lists recent runs"]);
    if (!mayControl(row, user)) {
      throw new PermissionError(
        `Only the requester, an approver of ${row.runbook} or an admin may ${verb} run ${runId}.`,
      );
    }
    return row;
  }

  return {
    cancel(runId: number, user: ChatUser): RunRow {
      const row = controlled(runId, user, "cancel");
      if (row.status === "pending" || row.status === "approved") {
        if (journal.getSteps(runId).some((s) => s.status === "interrupted")) {
          throw new ConflictError(
            `Run ${runId} was interrupted and waits for a resume approval; abort it instead.`,
          );
        }
        if (!journal.endRun(runId, [row.status], "cancelled", { reason: `cancelled by ${user.name}` }))
          throw new ConflictError(`Run ${runId} changed meanwhile; it is ${journal.getRun(runId)?.status}.`);
        lifecycle.ended(runId);
        return journal.getRun(runId)!;
      }
      if (row.status === "running") {
        const run = core.active.get(runId);
        if (!run) throw new ConflictError(`Run ${runId} is not running in this process.`);
        if (!journal.requestCancel(runId, user.name)) return row;
        journal.setReason(runId, `cancelling (by ${user.name}): stopping steps, running rollbacks`);
        run.cancelRequested = true;
        run.cancel.abort(ABORT_CANCEL);
        for (const c of run.controllers.values()) c.abort(ABORT_CANCEL);
        lifecycle.emitRun(runId);
        lifecycle.pump(run);
        return journal.getRun(runId)!;
      }
      if (row.status === "interrupted")
        throw new ConflictError(`Run ${runId} is interrupted: resume it or abort it.`);
      throw new ConflictError(`Run ${runId} already ended: ${row.status}.`);
    },

    /** Ends a run that is not executing (interrupted, pending or waiting) without running anything. */
    abort(runId: number, user: ChatUser): RunRow {
      const row = controlled(runId, user, "abort");
      if (row.status === "running")
        throw new ConflictError(`Run ${runId} is running; use cancel to stop it and roll back.`);
      const from = ["interrupted", "pending", "approved"] as const;
      if (!journal.endRun(runId, from, "aborted", { reason: `aborted by ${user.name}` }))
        throw new ConflictError(`Run ${runId} cannot be aborted: it is ${journal.getRun(runId)?.status}.`);
      lifecycle.ended(runId);
      return journal.getRun(runId)!;
    },

    /**
     * Asks to continue an interrupted run. Needs a fresh approval (when the runbook has approvers);
     * interrupted steps run again unless `skipInterrupted` (the operator checked they completed).
     * Secret parameters must be given again: they are never stored.
     */
    resume(
      runId: number,
      user: ChatUser,
      opts: { params?: Record<string, string>; skipInterrupted?: boolean } = {},
    ): { run: RunRow; approvalId?: number } {
      const row = controlled(runId, user, "resume");
      if (row.status !== "interrupted")
        throw new ConflictError(`Run ${runId} is ${row.status}; only interrupted runs resume.`);
      const version = versionOf(core, row);
      const given = opts.params ?? {};
      const errors: string[] = [];
      const secrets: Record<string, string> = { ...(core.secrets.get(runId) ?? {}) };
      for (const [name, value] of Object.entries(given)) {
        const spec = version.runbook.params[name];
        if (!spec?.secret) {
          errors.push(
            `${name}: only secret parameters are given again on resume; the rest are pinned to the run`,
          );
          continue;
        }
        const checked = checkParam(name, spec, value, { devices: deps.devices().map((d) => d.name) });
        if ("error" in checked) errors.push(checked.error);
        else secrets[name] = checked.value;
      }
      for (const name of row.secretParams) {
        if (name in row.params && !(name in secrets))
          errors.push(`secret parameter ${name} is required: add ${name}=…`);
      }
      if (errors.length > 0) throw new UsageError(`Cannot resume run ${runId}.`, errors);
      const policy = policyOf(core, version.runbook);
      let approvalId: number | undefined;
      const won = journal.durable(() => {
        if (
          !journal.transitionRun(runId, ["interrupted"], "pending", {
            event: "run.resume_requested",
            reason: `resume requested by ${user.name}`,
            detail: { by: user.name, skipInterrupted: opts.skipInterrupted === true },
          })
        ) {
          return false;
        }
        if (policy) {
          const round = journal.lastApprovalRound(runId) ?? 1;
          approvalId = journal.createApproval({
            runId,
            round: Math.max(1, round) + 1,
            policy,
            requestedBy: user.id,
          });
        } else {
          journal.transitionRun(runId, ["pending"], "approved", {
            detail: { by: user.name, note: "the runbook has no approvers" },
          });
        }
        return true;
      });
      if (!won)
        throw new ConflictError(`Run ${runId} changed meanwhile; it is ${journal.getRun(runId)?.status}.`);
      if (Object.keys(secrets).length > 0) core.secrets.set(runId, secrets);
      lifecycle.emitRun(runId);
      if (approvalId !== undefined) {
        core.progress.emit({
          type: "approval",
          runId,
          approvalId,
          stepKey: null,
          status: "pending",
          at: now(),
        });
      } else lifecycle.start(runId);
      return { run: journal.getRun(runId)!, ...(approvalId !== undefined ? { approvalId } : {}) };
    },
  };
}
