import { reply, text } from "../src/chat/reply.js";
import { formatDateTime } from "../src/lib/time-format.js";
import {
  ACTION_AM_ACK,
  ACTION_AM_RUN,
  ACTION_AM_SILENCE,
  ACTION_AM_UNSILENCE,
} from "../src/management/alertmanager/render.js";
import { toClicker } from "./click-answer.js";
import { type Action, defineAction } from "./services.js";
import { requestSuggestedRun } from "./suggested-run.js";

/**
 * The buttons on an Alertmanager group's message. Silence, Unsilence and Ack need the same role as on
 * opsbot's own alerts; Run re-enters the chat pipeline as the clicking user (its own checks apply).
 */
const ephemeral = (line: string) => ({ ...reply(text(line)), ephemeral: true });

const groupOf = (value: string): number => Number(value.split(":")[0]);

/** "Silence 1h": value "GROUP:DURATION". */
const silence = defineAction({
  actionId: ACTION_AM_SILENCE,
  role: "oncall",
  handler: (value, ctx) =>
    toClicker(ctx, async () => {
      const { silence: s } = await ctx.services.alertmanager.silence({
        groupId: groupOf(value),
        duration: value.slice(value.indexOf(":") + 1),
        user: ctx.user,
      });
      return ephemeral(
        `Silenced am:${groupOf(value)} in Alertmanager until ${formatDateTime(s.until)} (silence ${s.id}).`,
      );
    }),
});

const unsilence = defineAction({
  actionId: ACTION_AM_UNSILENCE,
  role: "oncall",
  handler: (value, ctx) =>
    toClicker(ctx, async () => {
      const r = await ctx.services.alertmanager.unsilence(groupOf(value), ctx.user);
      return ephemeral(
        `Alertmanager silence ${r.silenceId} on am:${r.group.id} ${r.ended ? "had already ended" : "expired"}.`,
      );
    }),
});

const ack = defineAction({
  actionId: ACTION_AM_ACK,
  role: "oncall",
  handler: (value, ctx) =>
    toClicker(ctx, async () => {
      const r = await ctx.services.alertmanager.ack(groupOf(value), ctx.user);
      const who = r.group.ack;
      return ephemeral(
        r.already && who
          ? `am:${r.group.id} was already acked by ${who.by.name}.`
          : `Acked am:${r.group.id}.`,
      );
    }),
});

/** "Run …": value "GROUP:FINGERPRINT" — the alert whose opsbot_runbook annotation suggests it. */
const run = defineAction({
  actionId: ACTION_AM_RUN,
  handler: (value, ctx) =>
    toClicker(ctx, () => {
      const cut = value.indexOf(":");
      const s = ctx.services.alertmanager.suggestedRun(Number(value.slice(0, cut)), value.slice(cut + 1));
      return requestSuggestedRun(ctx, s);
    }),
});

export const amActions: Action[] = [ack, silence, unsilence, run];
