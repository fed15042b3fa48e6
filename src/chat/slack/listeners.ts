import type { App } from "@slack/bolt";
import type { Logger } from "../../lib/logger.js";
import type { Form } from "../form.js";
import { formLimitProblems } from "../input-limits.js";
import { errorReply, type Reply } from "../reply.js";
import type { Router } from "../router.js";
import { type DeliveryDedup, deliveryKey } from "./delivery-dedup.js";
import type { HomeTab } from "./home-tab.js";
import type { SlackIdentity } from "./identity.js";
import { normalizeIncomingText } from "./incoming-text.js";
import { formToModal, modalSubmission } from "./modal.js";
import type { Outbox } from "./outbox.js";

/**
 * The Slack entry points, all into the one command router: `/ops <text>`, `@opsbot <text>` (answered in
 * the thread), direct messages, and button clicks. Identity always comes from the payload's user id.
 */
export interface ListenerDeps {
  router: Router;
  identity: SlackIdentity;
  outbox: Outbox;
  dedup: DeliveryDedup;
  botUserId: string;
  logger: Logger;
  /** App Home (views.publish); absent: the Home tab is not served. */
  home?: HomeTab;
}

const TRANSPORT = "slack" as const;
const SORRY = "Something went wrong answering that; the details are in opsbot's log. Try again in a minute.";

interface MessageLike {
  user?: string;
  bot_id?: string;
  subtype?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  channel: string;
  channel_type?: string;
}

export function registerListeners(app: App, deps: ListenerDeps): void {
  const { router, identity, outbox, logger } = deps;

  // Slack redelivers events it thinks we missed (and Socket Mode may resend an envelope after a
  // reconnect): handle each delivery once.
  app.use(async (args) => {
    const key = deliveryKey(args.body as Record<string, unknown>);
    if (key && deps.dedup.checkAndRecord(key)) {
      logger.info({ key }, "duplicate Slack delivery ignored");
      const ack = (args as { ack?: () => Promise<void> }).ack;
      if (ack) await ack();
      return;
    }
    await args.next();
  });

  /**
   * What channel scopes need to know about where a request came from: its name (looked up and cached,
   * the same way for every entry point) and whether it is a direct message (`D…`).
   */
  const whereIs = async (channel: string) => {
    const name = await identity.channelName(channel);
    return { ...(name === undefined ? {} : { channelName: name }), direct: channel.startsWith("D") };
  };

  const isFromBot = (m: MessageLike) => m.bot_id !== undefined || m.user === deps.botUserId || !m.user;

  async function answerMessage(m: MessageLike, text: string, threadTs: string | undefined): Promise<void> {
    try {
      const user = await identity.resolve(m.user!);
      const { reply } = await router.handle(text, {
        user,
        channel: m.channel,
        ...(await whereIs(m.channel)),
        ...(threadTs ? { threadTs } : {}),
        transport: TRANSPORT,
      });
      const channel = m.channel;
      handOff(deliver(channel, m.user!, reply, threadTs), { channel }, () =>
        outbox.post(channel, errorReply(SORRY), threadTs ? { threadTs } : {}),
      );
    } catch (err) {
      logger.error({ err: String(err), channel: m.channel }, "answering a Slack message failed");
      await outbox.post(m.channel, errorReply(SORRY), threadTs ? { threadTs } : {}).catch(() => {});
    }
  }

  function deliver(channel: string, userId: string, reply: Reply, threadTs: string | undefined) {
    if (reply.ephemeral) return outbox.postEphemeral(channel, userId, reply);
    return outbox.post(channel, reply, threadTs ? { threadTs } : {});
  }

  /**
   * Hands an answer to the outbox without waiting for Slack to take it: in an outage the answer waits
   * in the outbox (its memory bound, then the store), not in this request, whose context (the whole
   * event) would otherwise stay in memory with every unanswered message. A failure is still told.
   */
  function handOff(sent: Promise<unknown>, where: Record<string, string>, sorry: () => Promise<unknown>) {
    sent.catch((err: unknown) => {
      // Saved at shutdown: delivered at the next start, nothing to apologise for.
      if (/delivered at the next start/.test(String(err))) return;
      logger.error({ err: String(err), ...where }, "a Slack answer was not delivered");
      sorry().catch(() => {});
    });
  }

  app.command(/.*/, async ({ command, ack }) => {
    await ack(); // within Slack's 3 s, before any work
    try {
      const user = await identity.resolve(command.user_id, command.user_name);
      const { reply } = await router.handle(normalizeIncomingText(command.text), {
        user,
        channel: command.channel_id,
        ...(await whereIs(command.channel_id)),
        transport: TRANSPORT,
      });
      const { response_url: url, channel_id: channel } = command;
      handOff(outbox.respond(url, channel, reply), { command: command.command }, () =>
        outbox.respond(url, channel, { ...errorReply(SORRY), ephemeral: true }),
      );
    } catch (err) {
      logger.error({ err: String(err), command: command.command }, "answering a slash command failed");
      await outbox
        .respond(command.response_url, command.channel_id, { ...errorReply(SORRY), ephemeral: true })
        .catch(() => {});
    }
  });

  app.event("app_mention", async ({ event }) => {
    const m = event as unknown as MessageLike;
    if (isFromBot(m)) return;
    const threadTs = m.thread_ts ?? m.ts;
    await answerMessage(m, normalizeIncomingText(m.text ?? "", deps.botUserId), threadTs);
  });

  app.message(async ({ message }) => {
    const m = message as unknown as MessageLike;
    // Only direct messages: channel messages reach opsbot as app_mention. Edits, joins and every bot's
    // posts (our own included) have a subtype or bot_id and are never commands.
    if (m.channel_type !== "im" || m.subtype !== undefined || isFromBot(m)) return;
    await answerMessage(m, normalizeIncomingText(m.text ?? "", deps.botUserId), m.thread_ts);
  });

  app.action(/.*/, async ({ ack, body, action }) => {
    await ack();
    if (body.type !== "block_actions" || action.type !== "button" || !("action_id" in action)) return;
    const actionId = action.action_id;
    const fromHome = (body as { view?: { type?: string } }).view?.type === "home";
    // A click on the App Home has no channel: answers go to the clicker's direct message with opsbot.
    const channel =
      body.channel?.id ?? body.container?.channel_id ?? (fromHome ? await imOf(body.user.id) : undefined);
    if (!channel) return;
    const msg = body.message as { ts?: string; thread_ts?: string } | undefined;
    const message = msg?.ts
      ? { channel, ts: msg.ts, ...(msg.thread_ts ? { threadTs: msg.thread_ts } : {}) }
      : undefined;
    try {
      const user = await identity.resolve(body.user.id, body.user.username);
      const triggerId = (body as { trigger_id?: string }).trigger_id;
      const { reply } = await router.dispatchAction(actionId, action.value ?? "", {
        user,
        channel,
        ...(await whereIs(channel)),
        ...(message ? { message } : {}),
        // A trigger is valid for 3 s: the form opens right away, through the outbox's read path.
        ...(triggerId
          ? {
              openForm: async (form: Form) => {
                await outbox.call("views.open", { trigger_id: triggerId, view: formToModal(form, channel) });
              },
            }
          : {}),
        transport: TRANSPORT,
      });
      if (fromHome) await deps.home?.opened(body.user.id);
      if (reply.blocks.length === 0) return; // the action had nothing to say
      if (reply.ephemeral) await outbox.respond(body.response_url, channel, reply);
      else await outbox.post(channel, reply, message ? { threadTs: message.threadTs ?? message.ts } : {});
    } catch (err) {
      logger.error({ err: String(err), action: actionId }, "handling a button click failed");
      await outbox
        .respond(body.response_url, channel, { ...errorReply(SORRY), ephemeral: true })
        .catch(() => {});
    }
  });

  async function imOf(userId: string): Promise<string | undefined> {
    const r = await outbox.call("conversations.open", { users: userId }).catch(() => undefined);
    const id = (r?.channel as { id?: unknown } | undefined)?.id;
    return typeof id === "string" ? id : undefined;
  }

  app.event("app_home_opened", async ({ event }) => {
    const e = event as { user: string; tab?: string };
    if (!deps.home || e.tab !== "home") return;
    await deps.home.opened(e.user);
  });

  // A submitted form comes back as its submit action, with the values; the user is the payload's.
  // A field over its limit keeps the modal open with the reason next to that field (response_action
  // "errors"); the router still sees the submission, so the refusal is audited like any other.
  app.view(/.*/, async ({ ack, body, view }) => {
    const submission = modalSubmission(view as Parameters<typeof modalSubmission>[0]);
    const tooLong = submission ? formLimitProblems(submission.values) : [];
    if (tooLong.length > 0) {
      await ack({
        response_action: "errors",
        errors: Object.fromEntries(tooLong.map((p) => [p.field, p.message])),
      });
    } else await ack();
    if (!submission) return;
    const { channel } = submission;
    try {
      const user = await identity.resolve(body.user.id, (body.user as { username?: string }).username);
      const { reply } = await router.dispatchAction(
        view.callback_id,
        JSON.stringify({ metadata: submission.metadata, values: submission.values }),
        { user, channel, ...(await whereIs(channel)), transport: TRANSPORT, form: submission.values },
      );
      if (reply.blocks.length === 0 || tooLong.length > 0) return;
      if (reply.ephemeral) await outbox.postEphemeral(channel, body.user.id, reply);
      else await outbox.post(channel, reply);
    } catch (err) {
      logger.error({ err: String(err), view: view.callback_id }, "handling a form submission failed");
    }
  });
}
