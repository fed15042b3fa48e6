import type { Logger } from "../../lib/logger.js";
import { openStore, type Store } from "../../store/store.js";
import type { ChatAdapter } from "../adapter.js";
import type { Router } from "../router.js";
import type { SlackApp } from "./app.js";
import { createStoredDeliveries } from "./delivery-store.js";

/**
 * Slack as a chat adapter: stop() stops receiving; flush() delivers the outbox, then closes it. The
 * adapter outlives config reloads, so its delivery memory (replayed requests and retried events
 * run nothing twice) has its own connection to the database.
 */
export function slackAdapter(
  app: SlackApp,
  options: {
    dbPath: string;
    logger: Logger;
    onStarted?: (info: { botUserId: string; port?: number }) => void;
  },
): ChatAdapter {
  let started = false;
  let store: Store | undefined;
  return {
    name: "slack",
    port: app.chat,
    async start(router: Router) {
      if (started) return;
      started = true;
      try {
        store = openStore(options.dbPath);
        const info = await app.start(router, { deliveries: createStoredDeliveries(store, options.logger) });
        options.onStarted?.(info);
      } catch (err) {
        started = false;
        await app.stop(0).catch(() => {});
        store?.close();
        throw err;
      }
    },
    serveHome: (render) => app.serveHome(render),
    stop: () => app.stopReceiving(),
    connection: () => app.connection(),
    outboxStats: () => ({ pending: app.chat.pending, rateLimited: app.chat.stats.rateLimited }),
    async flush() {
      await app.drain();
      store?.close();
      store = undefined;
    },
  };
}
