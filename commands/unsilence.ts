import { reply, text } from "../src/chat/reply.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "unsilence",
  summary: "End an alert silence early",
  args: [
    {
      name: "id",
      type: "int",
      kind: "positional",
      required: true,
      description: "silence id (see `silences`)",
    },
  ],
  examples: ["unsilence 3"],
  sideEffects: true,
  role: "oncall",
  async handler(args, ctx) {
    const s = await ctx.services.alerts.unsilence(Number(args.values.id), ctx.user);
    return reply(
      text(`Silence #${s.id} (${s.targetKind} ${s.target}) ended; alerts it held back are announced now.`),
    );
  },
});
