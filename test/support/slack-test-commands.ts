import { type ActionSpec, type CommandSpec, defineAction, defineCommand } from "../../src/chat/command.js";
import { buttons, reply, text } from "../../src/chat/reply.js";

export interface HandlerCall {
  command: string;
  text: string;
  user: string;
  roles: string[];
  channel: string;
  threadTs?: string;
  messageTs?: string;
}

/**
 * Commands for the Slack adapter's tests, registered with the real router next to the real ones
 * (help, whoami, …). Every handler run is recorded, so a test can prove that none ran.
 */
export function slackTestCommands(): {
  commands: CommandSpec[];
  actions: ActionSpec[];
  calls: HandlerCall[];
} {
  const calls: HandlerCall[] = [];
  const rest = {
    name: "text",
    kind: "positional",
    type: "string",
    rest: true,
    description: "anything",
  } as const;
  const commands = [
    defineCommand({
      name: "echo",
      summary: "Say it back",
      args: [rest],
      examples: ["echo hi"],
      sideEffects: false,
      handler(args, ctx) {
        const said = String(args.values.text ?? "");
        calls.push({
          command: "echo",
          text: said,
          user: ctx.user.id,
          roles: ctx.user.roles,
          channel: ctx.channel,
          ...(ctx.threadTs ? { threadTs: ctx.threadTs } : {}),
        });
        return reply(text(`echo: ${said}`));
      },
    }),
    defineCommand({
      name: "whisper",
      summary: "Say it back, only to you",
      args: [rest],
      examples: ["whisper hi"],
      sideEffects: false,
      handler(args, ctx) {
        calls.push({
          command: "whisper",
          text: String(args.values.text ?? ""),
          user: ctx.user.id,
          roles: ctx.user.roles,
          channel: ctx.channel,
        });
        return { ...reply(text(`psst ${String(args.values.text ?? "")}`)), ephemeral: true };
      },
    }),
    defineCommand({
      name: "deploy",
      summary: "Pretend to deploy (operators)",
      examples: ["deploy"],
      sideEffects: true,
      role: "operator",
      handler(_args, ctx) {
        calls.push({
          command: "deploy",
          text: "",
          user: ctx.user.id,
          roles: ctx.user.roles,
          channel: ctx.channel,
        });
        return reply(
          text("Run 42 waits for approval."),
          buttons({ actionId: "run.approve", label: "Approve", value: "42" }),
        );
      },
    }),
    defineCommand({
      name: "mute",
      summary: "Pretend to mute something (admins)",
      examples: ["mute"],
      sideEffects: true,
      role: "admin",
      handler: () => reply(text("muted")),
    }),
  ];
  const actions = [
    defineAction({
      actionId: "run.approve",
      role: "operator",
      handler(value, ctx) {
        calls.push({
          command: "run.approve",
          text: value,
          user: ctx.user.id,
          roles: ctx.user.roles,
          channel: ctx.channel,
          ...(ctx.message ? { messageTs: ctx.message.ts } : {}),
        });
        return reply(text(`run.approve ${value} by ${ctx.user.id}`));
      },
    }),
  ];
  return { commands, actions, calls };
}
