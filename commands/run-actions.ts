import { errorReply, type Reply, text } from "../src/chat/reply.js";
import { toOpsbotError } from "../src/lib/errors.js";
import { parseApprovalValue } from "../src/orchestration/presenters/approval-text.js";
import { ACTION, renderDetails } from "../src/orchestration/presenters/run-message.js";
import type { OrchestrationService } from "../src/orchestration/service.js";
import { type ClickContext, defineAction } from "./services.js";

/**
 * The other buttons on a run's parent message: Details, Cancel, and after a restart Resume / Abort.
 * The button value only names the run; who may act is decided by the engine from the clicking user.
 * Refusals go only to the person who clicked.
 */
function withRun(
  value: string,
  ctx: ClickContext,
  act: (o: OrchestrationService, runId: number) => Reply,
): Reply {
  const o = ctx.services.orchestration;
  const target = parseApprovalValue(value);
  if (!o || !target) return { ...errorReply("That button does not name a run."), ephemeral: true };
  try {
    return act(o, target.runId);
  } catch (err) {
    const e = toOpsbotError(err);
    if (e.code === "INTERNAL") throw err;
    return { ...errorReply(e.message, e.details), ephemeral: true };
  }
}

export const detailsAction = defineAction({
  actionId: ACTION.details,
  handler: (value, ctx) =>
    withRun(value, ctx, (o, id) => {
      const view = o.view(id);
      return view ? renderDetails(view) : { ...errorReply(`There is no run ${id}.`), ephemeral: true };
    }),
});

export const cancelAction = defineAction({
  actionId: ACTION.cancel,
  handler: (value, ctx) =>
    withRun(value, ctx, (o, id) => {
      const row = o.cancel(id, ctx.user);
      return {
        blocks: [
          text(
            row.status === "running"
              ? `${ctx.user.name} cancelled run ${id}: stopping its steps, then rollbacks.`
              : `${ctx.user.name} cancelled run ${id}.`,
          ),
        ],
      };
    }),
});

export const resumeAction = defineAction({
  actionId: ACTION.resume,
  handler: (value, ctx) =>
    withRun(value, ctx, (o, id) => {
      const r = o.resume(id, ctx.user);
      return {
        blocks: [
          text(
            r.approvalId !== undefined
              ? `${ctx.user.name} asked to resume run ${id}: it needs a fresh approval (buttons on the run's message).`
              : `${ctx.user.name} resumed run ${id}.`,
          ),
        ],
      };
    }),
});

export const abortAction = defineAction({
  actionId: ACTION.abort,
  handler: (value, ctx) =>
    withRun(value, ctx, (o, id) => {
      o.abort(id, ctx.user);
      return { blocks: [text(`${ctx.user.name} aborted run ${id}; nothing more runs.`)] };
    }),
});
