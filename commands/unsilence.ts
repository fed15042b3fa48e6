import { reply, text } from "../src/chat/reply.js";
import { amGroupId, plainId } from "./am-targets.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "unsilence",
  summary: "End an alert silence early",
  args: [
    {
      name: "id",
      type: "string",
      kind: "positional",
      required: true,
      description: "silence id (see `silences`), or am:ID for an Alertmanager group's silence",
    },
  ],
  examples: ["unsilence 3"],
  sideEffects: true,
  role: "oncall",
  async handler(args, ctx) {
    const group = amGroupId(String(args.values.id));
    if (group !== undefined) {
      const r = await ctx.services.alertmanager.unsilence(group, ctx.user);
      return reply(
        text(
          `Alertmanager silence ${r.silenceId} on am:${group} ${r.ended ? "had already ended" : "expired"}.`,
        ),
      );
    }
    const s = await ctx.services.alerts.unsilence(plainId(String(args.values.id), "silence"), ctx.user);
    return reply(
      text(`Silence #${s.id} (${s.targetKind} ${s.target}) ended; alerts it held back are announced now.`),
    );
  },
});
