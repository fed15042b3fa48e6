import type { ChatUser } from "../lib/actor.js";
import type { ChannelRef } from "../lib/channel-scope.js";
import type { Form } from "./form.js";
import type { Reply } from "./reply.js";

export type ArgType = "string" | "int" | "bool" | "duration" | "enum" | "device";

export interface ArgSpec {
  name: string;
  type: ArgType;
  description: string;
  /** positional (in order), option (`key=value` or `--key value`), flag (`--name`, boolean). */
  kind: "positional" | "option" | "flag";
  required?: boolean;
  default?: string | number | boolean;
  /** For type "enum". */
  choices?: string[];
  /** Last positional only: collects every remaining positional word into one string. */
  rest?: boolean;
}

/** Parsed argument values, keyed by ArgSpec.name. Options the spec does not declare land in `extra`. */
export interface ParsedArgs {
  values: Record<string, string | number | boolean | undefined>;
  /** Undeclared key=value pairs, for commands such as `run <runbook> k=v` that take free parameters. */
  extra: Record<string, string>;
}

/**
 * What a handler is called with. `S` is the services bag the handlers were written against: the chat
 * core never names it (commands/services.ts does), so chat stays beneath both subsystems.
 */
export interface CommandContext<S = unknown> {
  /** Roles as they hold in this channel (grants limited to other channels are withheld). */
  user: ChatUser;
  channel: string;
  /** The channel with what the transport knows about it (name, direct message), for channel scopes. */
  where: ChannelRef;
  threadTs?: string;
  /** The raw text, for audit and for commands that need it. */
  text: string;
  services: S;
}

export interface CommandSpec<S = unknown> {
  /** One or two words: "links", "links down", "run status". Lowercase. */
  name: string;
  aliases?: string[];
  summary: string;
  /** Longer help shown by `help <command>`. */
  description?: string;
  args?: ArgSpec[];
  /** Accept undeclared key=value options (they land in ParsedArgs.extra). */
  allowExtraOptions?: boolean;
  examples: string[];
  /** True when the command changes anything (polls a device, starts a run, acks an alert). */
  sideEffects: boolean;
  /** Role needed to run it; absent means anyone known to opsbot. `admin` may run everything. */
  role?: string;
  /**
   * Who may run it when that is decided per object rather than by one role (a runbook's runners, a
   * run's approvers): shown by help. A command with side effects names `role` or `access`.
   */
  access?: string;
  /**
   * The services (names in its `services`) the handler uses, when it uses only some: a core that builds its subsystems on
   * first use (the one-shot `opsbot ask`) builds these before the handler runs. Absent: all of them.
   * A function of the arguments when only some uses need a service (`help run` lists runbooks).
   */
  uses?: readonly string[] | ((args: ParsedArgs) => readonly string[]);
  handler(args: ParsedArgs, ctx: CommandContext<S>): Promise<Reply> | Reply;
}

/** A button click or numbered console choice, routed by action id. */
export interface ActionContext<S = unknown> {
  user: ChatUser;
  channel: string;
  where: ChannelRef;
  /** The message that carried the button, when the transport knows it. */
  message?: { channel: string; ts: string; threadTs?: string };
  services: S;
  /**
   * Runs a chat command as the clicking user, through the whole pipeline (binding, permission, audit):
   * how a button such as an alert's "Run …" re-enters instead of calling another handler directly.
   */
  command(text: string, where?: { channel: string; threadTs?: string }): Promise<Reply>;
  /** Opens a form for the clicking user (Slack: a modal); absent where the transport has none. */
  openForm?(form: Form): Promise<void>;
}

export interface ActionSpec<S = unknown> {
  /** Exact action id, e.g. "run.approve". */
  actionId: string;
  /** Role needed, as for commands. Fine-grained checks (approver lists) happen in the handler. */
  role?: string;
  handler(value: string, ctx: ActionContext<S>): Promise<Reply | undefined> | Reply | undefined;
}

export function defineCommand<S = unknown>(spec: CommandSpec<S>): CommandSpec<S> {
  return spec;
}

export function defineAction<S = unknown>(spec: ActionSpec<S>): ActionSpec<S> {
  return spec;
}
