import { fields, reply } from "../src/chat/reply.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "whoami",
  summary: "Show who opsbot thinks you are and your roles",
  examples: ["whoami"],
  sideEffects: false,
  handler: (_args, ctx) =>
    reply(
      fields({
        User: ctx.user.name,
        Id: ctx.user.id,
        Roles: ctx.user.roles.length > 0 ? ctx.user.roles.join(", ") : "none (read-only commands only)",
        Channel: ctx.channel,
      }),
    ),
});
