import type { Config } from "../config/schema.js";
import type { ChatUser } from "../lib/actor.js";
import type { ChannelRef } from "../lib/channel-scope.js";
import type { Clock } from "../lib/clock.js";
import { isFailureCode, type OpsbotError, toOpsbotError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import type { Redactor } from "../lib/redact.js";
import type { AuditOutcome, AuditRepo } from "../store/audit-repo.js";
import { bindArgs } from "./args.js";
import type { ActionContext, ActionSpec, CommandSpec } from "./command.js";
import { auditForm, formRefusal, MAX_ACTION_VALUE_CHARS, MAX_COMMAND_CHARS } from "./input-limits.js";
import { hasRole, roleRefusal, type ScopedUser, scopeRoles } from "./permissions.js";
import { dataOf, errorReply, type Reply, refusal, replyToPlainText } from "./reply.js";
import { suggest } from "./suggest.js";
import { tokenize } from "./tokenize.js";

export interface RequestContext {
  user: ChatUser;
  channel: string;
  threadTs?: string;
  /** "console", "slack", "cli": recorded in the audit log. */
  transport: string;
  /** The channel's name (without #), when the transport knows it: channel scopes match on it too. */
  channelName?: string;
  /** A direct message with opsbot (allowed by a scope only when it lists `dm`). */
  direct?: boolean;
  /**
   * Who really typed it, when someone acts as another user (`as bob` in the console, `ask --as`):
   * recorded in the audit row beside the identity used.
   */
  actingFor?: string;
}

export interface RouteResult {
  reply: Reply;
  outcome: AuditOutcome;
  /** The resolved command name, when one matched. */
  command?: string;
}

export interface RouterDeps {
  audit: AuditRepo;
  clock: Clock;
  logger: Logger;
  /** Knows every configured secret: audit text and error details pass through it. */
  redactor: Redactor;
  /** Channels and channel-limited role grants: a role limited elsewhere does not hold here. */
  access?: Pick<Config, "channels" | "role_channels">;
}

export interface Router<S = unknown> {
  handle(text: string, ctx: RequestContext): Promise<RouteResult>;
  dispatchAction(
    actionId: string,
    value: string,
    ctx: RequestContext & {
      message?: { channel: string; ts: string; threadTs?: string };
      openForm?: ActionContext<S>["openForm"];
      /** A form submission's field values (then `value` is the whole submission): checked per field. */
      form?: Readonly<Record<string, string>>;
    },
  ): Promise<RouteResult>;
  /** Commands this user may run, for help and for transports that list them. */
  visibleCommands(user: ChatUser): CommandSpec<S>[];
  find(name: string): CommandSpec<S> | undefined;
}

/**
 * The one pipeline every command goes through, whatever the transport: tokenize → match →
 * permission → bind arguments (all problems at once) → handler → audit. Errors stop here: the user
 * gets one sentence, the log gets the detail.
 */
export function createRouter<S>(options: {
  commands: readonly CommandSpec<S>[];
  actions?: readonly ActionSpec<S>[];
  /** Handed to every handler as `ctx.services`; the router itself never looks inside. */
  services: S;
  /** What the pipeline itself needs: the audit log, time, the log, and the redactor. */
  deps: RouterDeps;
  /**
   * Called before a handler runs with the services it declared (`uses`; undefined: all, and for every
   * button): a core that builds services on first use builds them here.
   */
  prepare?: (uses: readonly string[] | undefined) => Promise<void> | void;
}): Router<S> {
  const { services, deps } = options;
  const byName = new Map<string, CommandSpec<S>>();
  for (const spec of options.commands) {
    for (const key of [spec.name, ...(spec.aliases ?? [])]) {
      const normalized = key.toLowerCase();
      if (byName.has(normalized)) throw new Error(`Command name or alias "${key}" is registered twice.`);
      byName.set(normalized, spec);
    }
  }
  const actions = new Map((options.actions ?? []).map((a) => [a.actionId, a]));

  const visibleCommands = (user: ChatUser) => options.commands.filter((c) => hasRole(user, c.role));
  const channels = deps.access?.channels ?? {};
  const scope = (ctx: RequestContext): ScopedUser =>
    deps.access ? scopeRoles(deps.access, ctx.user, whereOf(ctx)) : { user: ctx.user, withheld: {} };

  const audit = (ctx: RequestContext, kind: "command" | "action", text: string, result: RouteResult) => {
    const note = result.reply.audit?.detail;
    try {
      deps.audit.record({
        at: deps.clock.now(),
        userId: ctx.user.id,
        userName: ctx.user.name,
        channel: ctx.channel,
        transport: ctx.transport,
        kind,
        text: auditForm((t) => deps.redactor.redact(t), text),
        outcome: result.outcome,
        ...(result.command === undefined ? {} : { command: result.command }),
        ...(note === undefined ? {} : { detail: auditForm((t) => deps.redactor.redact(t), note) }),
        ...(ctx.actingFor === undefined ? {} : { actingFor: ctx.actingFor }),
        ...(result.reply.audit?.runId === undefined ? {} : { runId: result.reply.audit.runId }),
      });
    } catch (err) {
      // The answer still goes out; losing an audit row is logged loudly rather than hiding the reply.
      deps.logger.error({ err }, "could not write audit row");
    }
  };

  const fail = (
    err: unknown,
    command: string | undefined,
    ctx: RequestContext,
    what: string,
  ): RouteResult => {
    const e: OpsbotError = toOpsbotError(err);
    if (e.code === "INTERNAL") {
      deps.logger.error({ err, command, user: ctx.user.id }, "command failed");
      return {
        reply: errorReply(
          `Something went wrong running \`${what}\`; the details are in opsbot's log. Try again, or tell an admin if it keeps happening.`,
        ),
        outcome: "error",
        ...(command === undefined ? {} : { command }),
      };
    }
    const message = deps.redactor.redact(e.message);
    const details = e.details.map((d) => deps.redactor.redact(d));
    return {
      // A refusal goes only to the person refused.
      reply:
        e.code === "PERMISSION_DENIED" ? refusal(message, details) : errorReply(message, details, e.code),
      outcome: e.code === "PERMISSION_DENIED" ? "denied" : e.isUserError ? "user_error" : "error",
      ...(command === undefined ? {} : { command }),
    };
  };

  const match = (words: string[]): { spec: CommandSpec<S>; consumed: number } | undefined => {
    if (words.length >= 2) {
      const two = byName.get(`${words[0]} ${words[1]}`.toLowerCase());
      if (two) return { spec: two, consumed: 2 };
    }
    const one = words[0] === undefined ? undefined : byName.get(words[0].toLowerCase());
    return one ? { spec: one, consumed: 1 } : undefined;
  };

  const router: Router<S> = {
    visibleCommands,
    find: (name) => byName.get(name.toLowerCase()),

    async handle(rawText, ctx) {
      const text = rawText.trim().replace(/^\/ops\s+/, "");
      const scoped = scope(ctx);
      const user = scoped.user;
      let result: RouteResult;
      try {
        if (text.length > MAX_COMMAND_CHARS) {
          result = {
            reply: errorReply(
              `That message is ${text.length.toLocaleString("en-US")} characters long; a command may be at most ${MAX_COMMAND_CHARS.toLocaleString("en-US")}. Nothing was run.`,
            ),
            outcome: "user_error",
          };
          audit(ctx, "command", text, result);
          return result;
        }
        const tokens = tokenize(text);
        if (tokens.length === 0) {
          result = {
            reply: errorReply("Say a command, or `help` to see what I can do."),
            outcome: "user_error",
          };
        } else {
          const words = tokens.slice(0, 2).map((t) => (t.key === undefined && !t.quoted ? t.value : ""));
          const found = match(words);
          if (!found) {
            result = unknownCommand(words[0] || tokens[0]!.value, user);
          } else if (!hasRole(user, found.spec.role)) {
            result = {
              reply: refusal(roleRefusal(`\`${found.spec.name}\``, found.spec.role!, scoped, channels)),
              outcome: "denied",
              command: found.spec.name,
            };
          } else {
            try {
              const args = bindArgs(found.spec, tokens.slice(found.consumed));
              const uses = found.spec.uses;
              await options.prepare?.(typeof uses === "function" ? uses(args) : uses);
              const reply = await found.spec.handler(args, {
                user,
                channel: ctx.channel,
                where: whereOf(ctx),
                ...(ctx.threadTs === undefined ? {} : { threadTs: ctx.threadTs }),
                text,
                services,
              });
              result = { reply, outcome: outcomeOf(reply), command: found.spec.name };
            } catch (err) {
              result = fail(err, found.spec.name, ctx, found.spec.name);
            }
          }
        }
      } catch (err) {
        result = fail(err, undefined, ctx, text.split(/\s+/)[0] ?? "");
      }
      audit({ ...ctx, user }, "command", text, result);
      return withFallbackData(result);
    },

    async dispatchAction(actionId, value, ctx) {
      const spec = actions.get(actionId);
      const scoped = scope(ctx);
      const user = scoped.user;
      let result: RouteResult;
      const tooBig = ctx.form ? formRefusal(value, ctx.form) : undefined;
      if (tooBig !== undefined) {
        result = {
          reply: { ...errorReply(tooBig), ephemeral: true },
          outcome: "user_error",
          command: actionId,
        };
      } else if (!ctx.form && value.length > MAX_ACTION_VALUE_CHARS) {
        result = {
          reply: {
            ...errorReply("That button carried more data than opsbot accepts; nothing was done."),
            ephemeral: true,
          },
          outcome: "user_error",
          command: actionId,
        };
      } else if (!spec) {
        result = {
          reply: errorReply("That button is no longer handled by this opsbot."),
          outcome: "user_error",
        };
      } else if (!hasRole(user, spec.role)) {
        result = {
          reply: refusal(roleRefusal("That button", spec.role!, scoped, channels)),
          outcome: "denied",
          command: actionId,
        };
      } else {
        try {
          await options.prepare?.(undefined);
          const reply = await spec.handler(value, {
            user,
            channel: ctx.channel,
            where: whereOf(ctx),
            ...(ctx.message === undefined ? {} : { message: ctx.message }),
            ...(ctx.openForm === undefined ? {} : { openForm: ctx.openForm }),
            services,
            command: async (commandText, where) => {
              const threadTs = where ? where.threadTs : ctx.threadTs;
              // Elsewhere (another channel) the transport's name and DM flag no longer apply.
              const same = where === undefined || where.channel === ctx.channel;
              const routed = await router.handle(commandText, {
                user: ctx.user,
                channel: where?.channel ?? ctx.channel,
                ...(threadTs === undefined ? {} : { threadTs }),
                transport: ctx.transport,
                ...(same && ctx.channelName !== undefined ? { channelName: ctx.channelName } : {}),
                ...(same && ctx.direct !== undefined ? { direct: ctx.direct } : {}),
                ...(ctx.actingFor === undefined ? {} : { actingFor: ctx.actingFor }),
              });
              return routed.reply;
            },
          });
          result = {
            reply: reply ?? { blocks: [] },
            outcome: reply ? outcomeOf(reply) : "ok",
            command: actionId,
          };
        } catch (err) {
          result = fail(err, actionId, ctx, actionId);
        }
      }
      // A refused form is audited by its shape only: its values may hold secrets nobody registered yet.
      const shape = () =>
        Object.entries(ctx.form ?? {})
          .map(([k, v]) => `${k} (${v.length.toLocaleString("en-US")} characters)`)
          .join(", ");
      audit(
        { ...ctx, user },
        "action",
        tooBig ? `${actionId} refused form: ${shape()}` : `${actionId} ${value}`,
        result,
      );
      return withFallbackData(result);
    },
  };
  return router;

  /** Every answer carries data: a command without its own payload yet answers `message` (its text). */
  function withFallbackData(result: RouteResult): RouteResult {
    if (result.reply.data) return result;
    const kind = result.reply.isError ? "error" : "message";
    const data = dataOf(kind, { text: replyToPlainText(result.reply) });
    return { ...result, reply: { ...result.reply, data } };
  }

  function unknownCommand(word: string, user: ChatUser): RouteResult {
    const names = visibleCommands(user).flatMap((c) => [c.name.split(" ")[0]!, ...(c.aliases ?? [])]);
    const close = suggest(word, names);
    const hint = close.length > 0 ? ` Did you mean ${close.map((c) => `\`${c}\``).join(" or ")}?` : "";
    return {
      reply: errorReply(`I don't know the command \`${word}\`.${hint} Say \`help\` for the list.`),
      outcome: "unknown_command",
    };
  }
}

function whereOf(ctx: RequestContext): ChannelRef {
  return {
    id: ctx.channel,
    ...(ctx.channelName === undefined ? {} : { name: ctx.channelName }),
    ...(ctx.direct === undefined ? {} : { direct: ctx.direct }),
  };
}

/**
 * A handler may turn an error into its own answer (a click's error goes to the clicker alone): its
 * code still says whose fault it was — Alertmanager down is an `error`, not the clicker's mistake.
 */
function outcomeOf(reply: Reply): AuditOutcome {
  if (reply.refused) return "denied";
  if (!reply.isError) return "ok";
  const code = reply.data?.kind === "error" ? reply.data.code : undefined;
  return typeof code === "string" && isFailureCode(code) ? "error" : "user_error";
}
