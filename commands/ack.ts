import { reply, text } from "../src/chat/reply.js";
import { objectLabel } from "../src/management/alerts/render.js";
import { amGroupId, plainId } from "./am-targets.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "ack",
  summary: "Acknowledge an alert: quiet until it clears or gets worse",
  args: [
    {
      name: "id",
      type: "string",
      kind: "positional",
      required: true,
      description: "alert id (see `alerts`), or am:ID for an Alertmanager group",
    },
  ],
  examples: ["ack 12"],
  sideEffects: true,
  role: "oncall",
  async handler(args, ctx) {
    const group = amGroupId(String(args.values.id));
    if (group !== undefined) {
      const r = await ctx.services.alertmanager.ack(group, ctx.user);
      const first = r.group.ack;
      return reply(
        text(
          r.already && first ? `am:${group} was already acked by ${first.by.name}.` : `Acked am:${group}.`,
        ),
      );
    }
    const a = await ctx.services.alerts.ack(plainId(String(args.values.id), "alert"), ctx.user);
    return reply(
      text(
        `Acked alert #${a.id} (${a.device} ${objectLabel(a)}). It stays quiet until it clears or gets worse.`,
      ),
    );
  },
});
