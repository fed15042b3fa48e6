import { errorReply, reply, text } from "../src/chat/reply.js";
import { ACTION_ACK, ACTION_RUN, ACTION_SILENCE } from "../src/management/alerts/render.js";
import { toClicker } from "./click-answer.js";
import { type Action, defineAction } from "./services.js";
import { requestSuggestedRun } from "./suggested-run.js";

/** The Ack button: every open alert of the message. */
const ack = defineAction({
  actionId: ACTION_ACK,
  role: "oncall",
  handler: (value, ctx) =>
    toClicker(ctx, async () => {
      const acked = await ctx.services.alerts.ackGroup(Number(value), ctx.user);
      return { ...reply(text(`Acked ${acked.map((a) => `#${a.id}`).join(", ")}.`)), ephemeral: true };
    }),
});

/** "Silence 1h": value "device_rule:DEVICE:RULE:DURATION" (any silence target, then the duration). */
const silence = defineAction({
  actionId: ACTION_SILENCE,
  role: "oncall",
  handler: (value, ctx) =>
    toClicker(ctx, async () => {
      const cut = value.lastIndexOf(":");
      const s = await ctx.services.alerts.silence({
        target: value.slice(0, cut),
        duration: value.slice(cut + 1),
        reason: `silenced from the alert by ${ctx.user.name}`,
        user: ctx.user,
      });
      const what =
        s.targetKind === "device_rule" ? s.target.replace(":", " ") : `${s.targetKind} ${s.target}`;
      return { ...reply(text(`Silence #${s.id} on ${what}.`)), ephemeral: true };
    }),
});

/** "Run …": the alert's suggested runbook, requested as the clicking user (see requestSuggestedRun). */
const run = defineAction({
  actionId: ACTION_RUN,
  handler: (value, ctx) =>
    toClicker(ctx, async () => {
      const suggestion = ctx.services.alerts.suggestedRun(Number(value));
      if (!suggestion) return errorReply("That alert no longer suggests a runbook.", [], "NOT_FOUND");
      return requestSuggestedRun(ctx, suggestion);
    }),
});

export const alertActions: Action[] = [ack, silence, run];
