import { type ActionSpec, defineAction } from "../src/chat/command.js";
import { hasRole } from "../src/chat/permissions.js";
import { errorReply, reply, text } from "../src/chat/reply.js";
import { shellQuote } from "../src/lib/shell.js";
import { alertsOf } from "../src/management/alerts/answers.js";
import { ACTION_ACK, ACTION_RUN, ACTION_SILENCE } from "../src/management/alerts/render.js";

/** The Ack button: every open alert of the message. */
const ack = defineAction({
  actionId: ACTION_ACK,
  role: "oncall",
  async handler(value, ctx) {
    const acked = await alertsOf(ctx.services).ackGroup(Number(value), ctx.user);
    return { ...reply(text(`Acked ${acked.map((a) => `#${a.id}`).join(", ")}.`)), ephemeral: true };
  },
});

/** "Silence 1h": value "device:NAME:DURATION". */
const silence = defineAction({
  actionId: ACTION_SILENCE,
  role: "oncall",
  async handler(value, ctx) {
    const cut = value.lastIndexOf(":");
    const s = await alertsOf(ctx.services).silence({
      target: value.slice(0, cut),
      duration: value.slice(cut + 1),
      reason: `silenced from the alert by ${ctx.user.name}`,
      user: ctx.user,
    });
    return { ...reply(text(`Silence #${s.id} on ${s.targetKind} ${s.target}.`)), ephemeral: true };
  },
});

/**
 * "Run …": hands the suggested runbook to the `run` command itself — the same request → approval path
 * as typing it, with the same permission check — never starting a run directly.
 */
const run = defineAction({
  actionId: ACTION_RUN,
  async handler(value, ctx) {
    const suggestion = alertsOf(ctx.services).suggestedRun(Number(value));
    if (!suggestion) return errorReply("That alert no longer suggests a runbook.");
    const command = ctx.services.commands.find((c) => c.name === "run");
    if (!command) return errorReply("Runbooks are not available in this opsbot (no `run` command).");
    if (!hasRole(ctx.user, command.role))
      return errorReply(`Only people with the ${command.role} role can run runbooks.`);
    const params = Object.entries(suggestion.params).map(([k, v]) => `${k}=${shellQuote(v)}`);
    const threadTs = ctx.message?.threadTs ?? ctx.message?.ts;
    return command.handler(
      { values: { runbook: suggestion.runbook }, extra: suggestion.params },
      {
        user: ctx.user,
        channel: ctx.message?.channel ?? ctx.channel,
        ...(threadTs ? { threadTs } : {}),
        text: `run ${suggestion.runbook} ${params.join(" ")}`.trim(),
        services: ctx.services,
      },
    );
  },
});

export const alertActions: ActionSpec[] = [ack, silence, run];
