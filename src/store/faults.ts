/**
 * Store faults: errors that say the database cannot take a write *right now* (disk full, another
 * process holding the lock past busy_timeout, an I/O error, a read-only file) as opposed to a bug.
 * Writers that can wait — run output, the run journal — hold their data and retry these; the
 * store health below tells the admin channel and /readyz, once per outage.
 */
const TRANSIENT = /^SQLITE_(FULL|BUSY|LOCKED|IOERR|READONLY|CANTOPEN|PROTOCOL)/;

export function isStoreFault(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && TRANSIENT.test(code);
}

/** A one-line reason for a store fault: "SQLITE_FULL: database or disk is full". */
export function storeFaultReason(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === "string" ? e.code : "error";
  const message = typeof e?.message === "string" ? e.message : String(err);
  return `${code}: ${message}`;
}

export type StoreHealthListener = (state: StoreHealthState) => void;

export interface StoreHealthState {
  ok: boolean;
  /** Why writes fail, while they do. */
  reason?: string;
  /** When the current outage began (ms since epoch). */
  since?: number;
}

/**
 * Whether the store is taking writes, as seen by the writers that retry. A fault flips it to unhealthy
 * once (listeners hear it once per outage, not once per failed write); the next successful write of a
 * retrying writer flips it back.
 */
export interface StoreHealth {
  state(): StoreHealthState;
  fault(err: unknown, where: string): void;
  recovered(where: string): void;
  onChange(listener: StoreHealthListener): () => void;
}

export function createStoreHealth(now: () => number = Date.now): StoreHealth {
  let current: StoreHealthState = { ok: true };
  const listeners = new Set<StoreHealthListener>();
  const tell = () => {
    for (const l of listeners) {
      try {
        l(current);
      } catch {
        // A listener's failure must not turn a store fault into a crash.
      }
    }
  };
  return {
    state: () => current,
    fault(err, where) {
      if (!current.ok) return;
      current = { ok: false, reason: `${where}: ${storeFaultReason(err)}`, since: now() };
      tell();
    },
    recovered() {
      if (current.ok) return;
      current = { ok: true };
      tell();
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Exponential backoff for store retries: 100 ms doubling to `maxMs`. */
export function storeRetryDelay(failures: number, maxMs = 5000): number {
  return Math.min(maxMs, 100 * 2 ** Math.min(failures, 16));
}
