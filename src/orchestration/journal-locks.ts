import type { Clock } from "../lib/clock.js";
import type { Db } from "../store/store.js";

/**
 * Run locks: a key (a device, a site, anything a runbook names) held by at most one run, taken all
 * or nothing when a run starts and released in the transaction that ends it.
 */
export function createLockTable(deps: { db: Db; clock: Clock; durably: <T>(fn: () => T) => T }) {
  const { db, clock, durably } = deps;
  const s = {
    lockHolder: db.prepare("SELECT run_id FROM run_locks WHERE key = ?"),
    lock: db.prepare(
      "INSERT INTO run_locks (key, run_id, acquired_at) VALUES (?, ?, ?) ON CONFLICT(key) DO NOTHING",
    ),
    unlock: db.prepare("DELETE FROM run_locks WHERE run_id = ?"),
  };
  return {
    /** All keys or none, atomically. Re-acquiring keys the run already holds succeeds. */
    acquireLocks(
      runId: number,
      keys: readonly string[],
    ): { ok: true } | { ok: false; key: string; heldBy: number } {
      return durably(() => {
        for (const key of keys) {
          const holder = s.lockHolder.get(key) as { run_id: number } | undefined;
          if (holder && holder.run_id !== runId) return { ok: false as const, key, heldBy: holder.run_id };
        }
        for (const key of keys) s.lock.run(key, runId, clock.now());
        return { ok: true as const };
      });
    },

    releaseLocks(runId: number): void {
      durably(() => s.unlock.run(runId));
    },

    lockHolder(key: string): number | undefined {
      return (s.lockHolder.get(key) as { run_id: number } | undefined)?.run_id;
    },
  };
}
