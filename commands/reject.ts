import { errorReply } from "../src/chat/reply.js";
import { parseApprovalValue } from "../src/orchestration/presenters/approval-text.js";
import { ACTION } from "../src/orchestration/presenters/run-message.js";
import { decideFromChat } from "./decision-reply.js";
import { runIdOf } from "./orchestration-common.js";
import { defineAction, defineCommand } from "./services.js";

/** `reject <run>` and the Reject button: one decision, identity from the transport only. */
export default defineCommand({
  name: "reject",
  summary: "Reject a run (or its waiting approval step)",
  description:
    "Any one approver's rejection ends the request; the requester is not an approver of their own run.",
  args: [{ name: "id", type: "string", kind: "positional", required: true, description: "run id" }],
  examples: ["reject 12"],
  sideEffects: true,
  handler: (args, ctx) =>
    decideFromChat(ctx.services.orchestration, {
      runId: runIdOf(args.values.id),
      user: ctx.user,
      decision: "reject",
    }),
});

export const rejectAction = defineAction({
  actionId: ACTION.reject,
  handler(value, ctx) {
    const o = ctx.services.orchestration;
    const target = parseApprovalValue(value);
    if (!o || !target) return { ...errorReply("That button is not a valid rejection."), ephemeral: true };
    return decideFromChat(o, { ...target, user: ctx.user, decision: "reject" });
  },
});
