import { defineCommand } from "../src/chat/command.js";
import { reply, text } from "../src/chat/reply.js";
import { alertsOf } from "../src/management/alerts/answers.js";

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
    const s = await alertsOf(ctx.services).unsilence(Number(args.values.id), ctx.user);
    return reply(
      text(`Silence #${s.id} (${s.targetKind} ${s.target}) ended; alerts it held back are announced now.`),
    );
  },
});
