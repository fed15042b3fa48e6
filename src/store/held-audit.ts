import type { Logger } from "../lib/logger.js";
import type { AuditEntry, AuditRepo } from "./audit-repo.js";
import { isStoreFault, type StoreHealth, storeFaultReason, storeRetryDelay } from "./faults.js";

/**
 * The audit log through a store fault (disk full, lock held past busy_timeout, I/O error, read-only):
 * a row the store refuses is held in memory, in order, and written by a retry with backoff; the store
 * health hears of the outage (admin channel, /readyz) and of the recovery when the held rows are in.
 * At most `maxHeld` rows wait; beyond that the oldest is dropped with a counted error line — never
 * silently. Errors that are not store faults (a bug) still throw to the caller.
 */
export interface HeldAuditOptions {
  health?: StoreHealth;
  logger: Logger;
  maxHeld?: number;
}

export interface HeldAudit extends AuditRepo {
  /** Rows waiting for the store. */
  readonly held: number;
  /** Tries once more to write what is held (at stop); returns how many rows could not be written. */
  close(): number;
}

export function createHeldAudit(repo: AuditRepo, options: HeldAuditOptions): HeldAudit {
  const maxHeld = options.maxHeld ?? 10_000;
  const held: AuditEntry[] = [];
  let failures = 0;
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const hold = (entry: AuditEntry) => {
    held.push(entry);
    if (held.length > maxHeld) {
      held.shift();
      dropped += 1;
      options.logger.error(
        { dropped, held: held.length },
        "audit: more rows held than the bound while the store refuses writes; dropped the oldest",
      );
    }
  };

  /** Writes held rows in order; false when the store still refuses. */
  const flush = (): boolean => {
    while (held.length > 0) {
      try {
        repo.record(held[0]!);
      } catch (err) {
        if (!isStoreFault(err)) {
          options.logger.error({ err: String(err) }, "audit: a held row cannot be written; dropped");
          held.shift();
          continue;
        }
        options.health?.fault(err, "audit");
        return false;
      }
      held.shift();
    }
    return true;
  };

  const retry = () => {
    timer = undefined;
    if (closed) return;
    if (flush()) {
      failures = 0;
      options.health?.recovered("audit");
      options.logger.info("audit: held rows written");
      return;
    }
    schedule();
  };

  const schedule = () => {
    if (timer || closed) return;
    failures += 1;
    timer = setTimeout(retry, storeRetryDelay(failures));
    timer.unref();
  };

  return {
    get held() {
      return held.length;
    },
    record(entry) {
      if (held.length > 0) {
        hold(entry);
        return 0;
      }
      try {
        return repo.record(entry);
      } catch (err) {
        if (!isStoreFault(err)) throw err;
        options.health?.fault(err, "audit");
        options.logger.warn(
          { reason: storeFaultReason(err) },
          "audit: the store refused the row; held in memory and retried",
        );
        hold(entry);
        schedule();
        return 0;
      }
    },
    recent: (limit, filter) => repo.recent(limit, filter),
    each: (filter, visit) => repo.each(filter, visit),
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      const ok = held.length === 0 || flush();
      if (!ok)
        options.logger.error({ lost: held.length }, "audit: rows the store refused until the stop are lost");
      return held.length;
    },
  };
}
