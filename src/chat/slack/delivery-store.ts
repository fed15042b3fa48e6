import type { Logger } from "../../lib/logger.js";
import type { Store } from "../../store/store.js";
import type { DeliveryBacking } from "./delivery-dedup.js";

/**
 * Delivery keys in the store, so replay and retry memory survives a restart within Slack's window.
 * A store that cannot answer (locked, full) never turns a delivery away: the in-memory layer still
 * holds, and the failure is logged.
 */
export function createStoredDeliveries(store: Store, logger: Logger): DeliveryBacking {
  const seen = store.db.prepare("SELECT seen_at FROM slack_deliveries WHERE key = ? AND seen_at >= ?");
  const record = store.db.prepare(
    "INSERT INTO slack_deliveries (key, seen_at) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET seen_at = excluded.seen_at",
  );
  const prune = store.db.prepare("DELETE FROM slack_deliveries WHERE seen_at < ?");
  let writes = 0;
  return {
    seenSince(key, since) {
      try {
        return seen.get(key, since) !== undefined;
      } catch (err) {
        logger.warn({ err: String(err) }, "delivery memory: could not read the store");
        return false;
      }
    },
    record(key, at, ttlMs) {
      try {
        // Durable: the point is to remember across a crash right after the request ran.
        store.durable(() => {
          record.run(key, at);
          if (++writes % 500 === 0) prune.run(at - ttlMs);
        });
      } catch (err) {
        logger.warn({ err: String(err) }, "delivery memory: could not write the store");
      }
    },
  };
}
