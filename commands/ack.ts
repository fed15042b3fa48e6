import { reply, text } from "../src/chat/reply.js";
import { objectLabel } from "../src/management/alerts/render.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "ack",
  summary: "Acknowledge an alert: quiet until it clears or gets worse",
  args: [
    { name: "id", type: "int", kind: "positional", required: true, description: "alert id (see `alerts`)" },
  ],
  examples: ["ack 12"],
  sideEffects: true,
  role: "oncall",
  async handler(args, ctx) {
    const a = await ctx.services.alerts.ack(Number(args.values.id), ctx.user);
    return reply(
      text(
        `Acked alert #${a.id} (${a.device} ${objectLabel(a)}). It stays quiet until it clears or gets worse.`,
      ),
    );
  },
});
