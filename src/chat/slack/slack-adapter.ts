import type { Logger } from "../../lib/logger.js";
import type { StoreHealth } from "../../store/faults.js";
import { openStore, type Store } from "../../store/store.js";
import type { ChatAdapter } from "../adapter.js";
import type { Router } from "../router.js";
import type { SlackApp } from "./app.js";
import { createStoredDeliveries } from "./delivery-store.js";
import { createStoredSpill } from "./outbox-spill.js";

/**
 * Slack as a chat adapter: stop() stops receiving; flush() delivers the outbox, then closes it. The
 * adapter outlives config reloads, so its delivery memory (replayed requests and retried events
 * run nothing twice) and the outbox's spill (messages beyond its memory bound, and what Slack had not
 * taken at the last stop — delivered first at start) have their own connection to the database.
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
  let health: StoreHealth | undefined;
  return {
    name: "slack",
    port: app.chat,
    async start(router: Router) {
      if (started) return;
      started = true;
      try {
        store = openStore(options.dbPath);
        const restored = app.chat.attachSpill(createStoredSpill(store), health);
        if (restored > 0)
          options.logger.info({ restored }, "Slack outbox: delivering messages saved at the last stop first");
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
    outboxStats: () => {
      const m = app.chat.memory;
      return {
        pending: app.chat.pending,
        rateLimited: app.chat.stats.rateLimited,
        inMemory: m.messages,
        inMemoryBytes: m.bytes,
        spilled: m.spilled,
        dropped: app.chat.stats.dropped,
      };
    },
    watchStore(h) {
      health = h;
    },
    async flush() {
      await app.drain();
      store?.close();
      store = undefined;
    },
  };
}
