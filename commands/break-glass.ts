import { hasRole } from "../src/chat/permissions.js";
import { errorReply, type Reply, refusal } from "../src/chat/reply.js";
import { targetApproval } from "../src/orchestration/presenters/approval-text.js";
import { decisionReply } from "./decision-reply.js";
import { checkRunChannel } from "./orchestration-common.js";
import type { Context } from "./services.js";

/**
 * `approve <run> --break-glass "reason"`: an approval outside the runbook's policy (the requester's own
 * included), for members of approvals.break_glass.role, with a mandatory reason. Off unless configured.
 * Loud by design: the run's thread is marked, the announce channel told, and the audit row keeps the reason.
 */
export async function breakGlassFromChat(ctx: Context, runId: number, given: string): Promise<Reply> {
  const glass = ctx.services.config.approvals.break_glass;
  const reason = given.trim();
  const audit = { runId, detail: `break-glass: ${reason || "(no reason)"}` };
  if (!glass)
    return {
      ...refusal(
        "Break-glass approval is off: an admin enables it with approvals.break_glass in the config.",
      ),
      audit,
    };
  if (!hasRole(ctx.user, glass.role))
    return {
      ...refusal(
        `Break-glass approval needs the ${glass.role} role, which you (${ctx.user.name}) don't have.`,
      ),
      audit,
    };
  if (reason.length < 3)
    return {
      ...refusal(
        `Break-glass needs a reason everyone can read: \`approve ${runId} --break-glass "prod down, nobody on call"\`.`,
      ),
      audit,
    };
  const o = ctx.services.orchestration;
  const view = o.view(runId);
  if (!view)
    return { ...errorReply(`There is no run ${runId}; \`runs\` lists recent runs.`), ephemeral: true, audit };
  const target = targetApproval(view, undefined);
  if (!target.ok) return { ...errorReply(target.reason), ephemeral: true, audit };
  checkRunChannel(o, runId, ctx.where, "approved");
  const r = await o.breakGlass({
    approvalId: target.approval.id,
    runId,
    runbook: view.run.runbook,
    user: ctx.user,
    reason,
  });
  const what = target.approval.stepKey
    ? `step ${target.approval.stepKey} of run ${runId}`
    : `run ${runId} (${view.run.runbook})`;
  return { ...decisionReply(r, what, "approve", ctx.user.name), audit };
}
