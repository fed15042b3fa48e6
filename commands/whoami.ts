import { dataOf, fields, reply, withData } from "../src/chat/reply.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "whoami",
  summary: "Show who opsbot thinks you are and your roles",
  examples: ["whoami"],
  sideEffects: false,
  uses: [],
  handler: (_args, ctx) =>
    withData(
      reply(
        fields({
          User: ctx.user.name,
          Id: ctx.user.id,
          Roles: ctx.user.roles.length > 0 ? ctx.user.roles.join(", ") : "none (read-only commands only)",
          Channel: ctx.channel,
        }),
      ),
      dataOf("whoami", {
        user: { id: ctx.user.id, name: ctx.user.name, roles: ctx.user.roles },
        channel: ctx.channel,
      }),
    ),
});
