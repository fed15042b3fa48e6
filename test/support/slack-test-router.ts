import type { ChatUser } from "../../src/chat/command.js";
import { buttons, heading, type Reply, reply, text } from "../../src/chat/reply.js";
import type { ClickContext, MessageContext, SlackRouter } from "../../src/chat/slack/router-port.js";

/**
 * A small router with the real router's shape, for the Slack adapter's own tests: it records every call
 * (so a test can prove no handler ran) and answers deterministically.
 */
export class RecordingRouter implements SlackRouter {
  readonly messages: { text: string; ctx: MessageContext }[] = [];
  readonly clicks: { actionId: string; value: string; ctx: ClickContext }[] = [];

  async handle(input: string, ctx: MessageContext): Promise<Reply> {
    this.messages.push({ text: input, ctx });
    const [word, ...rest] = input.split(/\s+/);
    if (word === "help") return help(ctx.user);
    if (word === "whisper") return { ...reply(text(`psst ${rest.join(" ")}`)), ephemeral: true };
    if (word === "approve-me")
      return reply(
        text("Run 42 waits for approval."),
        buttons({ actionId: "run.approve", label: "Approve", value: "42" }),
      );
    return reply(text(`echo: ${input}`));
  }

  async dispatchAction(actionId: string, value: string, ctx: ClickContext): Promise<Reply | undefined> {
    this.clicks.push({ actionId, value, ctx });
    return reply(text(`${actionId} ${value} by ${ctx.user.id}`));
  }
}

function help(user: ChatUser): Reply {
  const lines = ["help — this list", "links — link status"];
  if (user.roles.includes("operator") || user.roles.includes("admin"))
    lines.push("run <runbook> — start a runbook");
  if (user.roles.includes("admin")) lines.push("silence <alert> — silence an alert");
  return reply(heading("opsbot commands"), text(lines.join("\n")));
}
