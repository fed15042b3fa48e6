import type { ChatUser } from "../lib/actor.js";
import type { Clock } from "../lib/clock.js";
import { type OpsbotError, toOpsbotError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import type { Redactor } from "../lib/redact.js";
import type { AuditOutcome, AuditRepo } from "../store/audit-repo.js";
import { bindArgs } from "./args.js";
import type { ActionContext, ActionSpec, CommandSpec } from "./command.js";
import { hasRole } from "./permissions.js";
import { dataOf, errorReply, type Reply, replyToPlainText } from "./reply.js";
import { suggest } from "./suggest.js";
import { tokenize } from "./tokenize.js";

export interface RequestContext {
  user: ChatUser;
  channel: string;
  threadTs?: string;
  /** "console", "slack", "cli": recorded in the audit log. */
  transport: string;
}

export interface RouteResult {
  reply: Reply;
  outcome: AuditOutcome;
  /** The resolved command name, when one matched. */
  command?: string;
}

/**
 * Input limits. A command longer than this is refused before it is parsed (Slack allows 40,000
 * characters in a message; no opsbot command needs more than a few hundred). Button values are capped
 * by Slack at 2,000. The audit keeps a bounded, redacted form of whatever arrived.
 */
export const MAX_COMMAND_CHARS = 4000;
export const MAX_ACTION_VALUE_CHARS = 2000;
export const MAX_AUDIT_TEXT_CHARS = 1000;

/** Redacted first, then cut, so a secret straddling the cut is never half-kept. */
export function auditForm(redact: (text: string) => string, text: string): string {
  const clean = redact(text);
  if (clean.length <= MAX_AUDIT_TEXT_CHARS) return clean;
  return `${clean.slice(0, MAX_AUDIT_TEXT_CHARS)}… [${clean.length - MAX_AUDIT_TEXT_CHARS} more characters]`;
}

export interface RouterDeps {
  audit: AuditRepo;
  clock: Clock;
  logger: Logger;
  /** Knows every configured secret: audit text and error details pass through it. */
  redactor: Redactor;
}

export interface Router<S = unknown> {
  handle(text: string, ctx: RequestContext): Promise<RouteResult>;
  dispatchAction(
    actionId: string,
    value: string,
    ctx: RequestContext & {
      message?: { channel: string; ts: string; threadTs?: string };
      openForm?: ActionContext<S>["openForm"];
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

  const audit = (
    ctx: RequestContext,
    kind: "command" | "action",
    text: string,
    result: RouteResult,
    detail?: string,
  ) => {
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
        ...(detail === undefined ? {} : { detail: auditForm((t) => deps.redactor.redact(t), detail) }),
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
    return {
      reply: errorReply(
        deps.redactor.redact(e.message),
        e.details.map((d) => deps.redactor.redact(d)),
        e.code,
      ),
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
            result = unknownCommand(words[0] || tokens[0]!.value, ctx.user);
          } else if (!hasRole(ctx.user, found.spec.role)) {
            result = {
              reply: errorReply(
                `\`${found.spec.name}\` needs the ${found.spec.role} role, which you (${ctx.user.name}) don't have. Ask an admin to add you to it in the config.`,
              ),
              outcome: "denied",
              command: found.spec.name,
            };
          } else {
            try {
              const args = bindArgs(found.spec, tokens.slice(found.consumed));
              const reply = await found.spec.handler(args, {
                user: ctx.user,
                channel: ctx.channel,
                ...(ctx.threadTs === undefined ? {} : { threadTs: ctx.threadTs }),
                text,
                services,
              });
              result = { reply, outcome: reply.isError ? "user_error" : "ok", command: found.spec.name };
            } catch (err) {
              result = fail(err, found.spec.name, ctx, found.spec.name);
            }
          }
        }
      } catch (err) {
        result = fail(err, undefined, ctx, text.split(/\s+/)[0] ?? "");
      }
      audit(ctx, "command", text, result);
      return withFallbackData(result);
    },

    async dispatchAction(actionId, value, ctx) {
      const spec = actions.get(actionId);
      let result: RouteResult;
      if (value.length > MAX_ACTION_VALUE_CHARS) {
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
      } else if (!hasRole(ctx.user, spec.role)) {
        result = {
          reply: { ...errorReply(`Only people with the ${spec.role} role can do that.`), ephemeral: true },
          outcome: "denied",
          command: actionId,
        };
      } else {
        try {
          const reply = await spec.handler(value, {
            user: ctx.user,
            channel: ctx.channel,
            ...(ctx.message === undefined ? {} : { message: ctx.message }),
            ...(ctx.openForm === undefined ? {} : { openForm: ctx.openForm }),
            services,
            command: async (commandText, where) => {
              const threadTs = where ? where.threadTs : ctx.threadTs;
              const routed = await router.handle(commandText, {
                user: ctx.user,
                channel: where?.channel ?? ctx.channel,
                ...(threadTs === undefined ? {} : { threadTs }),
                transport: ctx.transport,
              });
              return routed.reply;
            },
          });
          result = {
            reply: reply ?? { blocks: [] },
            outcome: reply?.isError ? "user_error" : "ok",
            command: actionId,
          };
        } catch (err) {
          result = fail(err, actionId, ctx, actionId);
        }
      }
      audit(ctx, "action", `${actionId} ${value}`, result);
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
