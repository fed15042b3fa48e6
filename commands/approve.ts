import { errorReply } from "../src/chat/reply.js";
import { parseApprovalValue } from "../src/orchestration/presenters/approval-text.js";
import { ACTION } from "../src/orchestration/presenters/run-message.js";
import { decideFromChat } from "./decision-reply.js";
import { runIdOf } from "./orchestration-common.js";
import { defineAction, defineCommand } from "./services.js";

/** `approve <run>` and the Approve button: one decision, identity from the transport only. */
export default defineCommand({
  name: "approve",
  summary: "Approve a run (or its waiting approval step)",
  description:
    "Only the runbook's approvers may approve, and not their own request unless the runbook allows it. With min_approvals, each different person counts once.",
  args: [{ name: "id", type: "string", kind: "positional", required: true, description: "run id" }],
  examples: ["approve 12"],
  sideEffects: true,
  handler: (args, ctx) =>
    decideFromChat(ctx.services.orchestration, {
      runId: runIdOf(args.values.id),
      user: ctx.user,
      decision: "approve",
    }),
});

export const approveAction = defineAction({
  actionId: ACTION.approve,
  handler(value, ctx) {
    const o = ctx.services.orchestration;
    const target = parseApprovalValue(value);
    if (!o || !target) return { ...errorReply("That button is not a valid approval."), ephemeral: true };
    return decideFromChat(o, { ...target, user: ctx.user, decision: "approve" });
  },
});
