import type { ChatUser } from "../../lib/actor.js";
import type { Logger } from "../../lib/logger.js";
import type { Reply } from "../reply.js";
import { renderReply, type SlackBlock } from "./block-kit.js";
import type { Outbox } from "./outbox.js";

/** Renders the App Home for a user from the bot's state (composed in commands/, never here). */
export type HomeRenderer = (user: ChatUser) => Promise<Reply> | Reply;

export interface HomeTab {
  /** The user opened the Home tab: publish their view now. */
  opened(userId: string): Promise<void>;
  /** State behind the views changed: re-publish for everyone who has opened Home (coalesced). */
  refreshAll(): void;
  readonly viewers: number;
}

/** Slack's limit on blocks in a Home view. */
const MAX_BLOCKS = 100;

/**
 * App Home through `views.publish`. Publishes are coalesced per user: while one is in flight, further
 * refreshes only mark the user dirty, and one more publish with the latest state follows. Calls go
 * through the outbox (its retries and rate-limit handling).
 */
export function createHomeTab(deps: {
  outbox: Outbox;
  render: HomeRenderer;
  resolve(userId: string): Promise<ChatUser>;
  logger: Logger;
}): HomeTab {
  const viewers = new Set<string>();
  const inFlight = new Map<string, Promise<void>>();
  const dirty = new Set<string>();

  async function publishOnce(userId: string): Promise<void> {
    const user = await deps.resolve(userId);
    const reply = await deps.render(user);
    const rendered = renderReply(reply, { allowFiles: false, maxMessages: 1, messageChars: 40_000 });
    const blocks: SlackBlock[] = rendered.messages.flatMap((m) => m.blocks).slice(0, MAX_BLOCKS);
    await deps.outbox.call("views.publish", { user_id: userId, view: { type: "home", blocks } });
  }

  function publish(userId: string): Promise<void> {
    const running = inFlight.get(userId);
    if (running) {
      dirty.add(userId);
      return running;
    }
    const p = (async () => {
      try {
        do {
          dirty.delete(userId);
          await publishOnce(userId);
        } while (dirty.has(userId));
      } catch (err) {
        deps.logger.warn({ err: String(err), user: userId }, "App Home not published");
      } finally {
        inFlight.delete(userId);
      }
    })();
    inFlight.set(userId, p);
    return p;
  }

  return {
    async opened(userId) {
      viewers.add(userId);
      await publish(userId);
    },
    refreshAll() {
      for (const userId of viewers) void publish(userId);
    },
    get viewers() {
      return viewers.size;
    },
  };
}
