import { errorReply } from "../src/chat/reply.js";
import { defineCommand } from "./services.js";

/**
 * `as <user> [command]` is the console's identity switch: the console adapter handles it before the
 * router. It is registered so that `help as` tells the truth; anywhere it reaches the router (Slack,
 * `opsbot ask`) it is refused, because identity comes from the transport, never from message text.
 */
export default defineCommand({
  name: "as",
  summary: "Console only: act as another user (`as bob`, or `as bob approve 1` for one command)",
  description:
    "In the console chat (the demo, `opsbot start --console`) `as <user>` switches who you are, so one terminal can request as alice and approve as bob; `as <user> <command>` runs one command as them. Roles come from the config, as for everyone. In Slack you are who Slack says you are: there `as` is refused. `opsbot ask --as USER` is the one-shot form.",
  args: [
    { name: "user", type: "string", kind: "positional", required: true, description: "console user name" },
    {
      name: "command",
      type: "string",
      kind: "positional",
      rest: true,
      description: "one command to run as them",
    },
  ],
  examples: ["as bob", "as carol fleet"],
  sideEffects: false,
  uses: [],
  handler() {
    return errorReply(
      "`as` switches identity only in the console chat. Here you are who the chat says you are; `opsbot ask --as USER` is the one-shot form.",
    );
  },
});
