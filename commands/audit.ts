import { context, reply, table } from "../src/chat/reply.js";
import { formatDateTime } from "../src/lib/time-format.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "audit",
  summary: "Show the most recent commands and button clicks",
  args: [
    { name: "user", kind: "option", type: "string", description: "only this user id" },
    { name: "limit", kind: "option", type: "int", default: 20, description: "how many rows (max 200)" },
  ],
  examples: ["audit", "audit limit=50", "audit user=alice"],
  sideEffects: false,
  role: "admin",
  handler(args, ctx) {
    const limit = Math.min(Math.max(Number(args.values.limit), 1), 200);
    const user = args.values.user as string | undefined;
    const rows = ctx.services.audit.recent(limit, user === undefined ? {} : { userId: user });
    return reply(
      table(
        ["when", "who", "where", "what", "outcome"],
        rows.map((r) => [formatDateTime(r.at), r.userName, r.channel, r.text, r.outcome]),
      ),
      context(`${rows.length} most recent entries, newest first.`),
    );
  },
});
