import { reply, text } from "../src/chat/reply.js";
import { NotFoundError } from "../src/lib/errors.js";
import { formatDateTime } from "../src/lib/time-format.js";
import { matcherText } from "../src/management/alertmanager/silence-list.js";
import { looksLikeSilenceId } from "../src/management/alertmanager/silence-pick.js";
import { amGroupId, plainId } from "./am-targets.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "unsilence",
  summary: "End an alert silence early (opsbot's, or any Alertmanager silence by its id)",
  description:
    "A number ends one of opsbot's own silences. `am:ID` ends the silence opsbot made for an Alertmanager group (the id its message shows). An Alertmanager silence id — or the first characters of one (at least 4) that no other active silence starts with — ends that silence in Alertmanager, whoever made it (its UI, amtool, Grafana, opsbot), e.g. `unsilence 0f3c2a9e`; `silences` lists them with their ids. An id that starts with digits only is read as opsbot's own number: give it up to its first letter or dash. Needs the same role as `silence`.",
  args: [
    {
      name: "id",
      type: "string",
      kind: "positional",
      required: true,
      description:
        "opsbot silence id, am:ID (an Alertmanager group), or an Alertmanager silence id or its first characters (see `silences`)",
    },
  ],
  examples: ["unsilence 3"],
  sideEffects: true,
  role: "oncall",
  async handler(args, ctx) {
    const id = String(args.values.id).trim();
    const group = amGroupId(id);
    if (group !== undefined) {
      const r = await ctx.services.alertmanager.unsilence(group, ctx.user);
      return reply(
        text(
          `Alertmanager silence ${r.silenceId} on am:${group} ${r.ended ? "had already ended" : "expired"}.`,
        ),
      );
    }
    if (looksLikeSilenceId(id)) {
      const { silence: s, group: g } = await ctx.services.alertmanager.unsilenceById(id, ctx.user);
      const what = `${s.matchers.map(matcherText).join(", ")}; made by ${s.createdBy || "nobody named"}`;
      return {
        ...reply(
          text(
            `Ended Alertmanager silence ${s.id} (${what}), which was to end at ${formatDateTime(s.endsAt)}${
              g ? `; group am:${g.id}'s message is updated` : ""
            }.`,
          ),
        ),
        audit: { detail: `Alertmanager silence ${s.id} (${what})` },
      };
    }
    try {
      const s = await ctx.services.alerts.unsilence(plainId(id, "silence"), ctx.user);
      return reply(
        text(`Silence #${s.id} (${s.targetKind} ${s.target}) ended; alerts it held back are announced now.`),
      );
    } catch (err) {
      // An Alertmanager silence id can start with digits only: a number is read as opsbot's own first.
      if (err instanceof NotFoundError && id.length >= 4)
        throw new NotFoundError(err.message, [
          ...err.details,
          "For an Alertmanager silence whose id starts with digits, give it up to a letter or its first dash.",
        ]);
      throw err;
    }
  },
});
