import type { Store } from "../../store/store.js";

/** A write the outbox can replay from its description alone (so it can leave memory for the store). */
export type DurableCall =
  | { kind: "api"; method: string; args: Record<string, unknown> }
  | { kind: "url"; label: string; url: string; body: string; contentType: string };

/** A spilled write as the queue remembers it: everything but the payload, which stays in the store. */
export interface SpillRow {
  id: number;
  lane: string;
  method: string;
  coalesceKey?: string;
  priority: boolean;
}

/** One job to keep at shutdown, in lane order: a row already spilled, or a write still in memory. */
export type SpillEntry = { id: number } | (Omit<SpillRow, "id"> & { payload: DurableCall });

/**
 * Where the outbox puts what does not fit its memory bound. Every method may throw a store fault
 * (SQLITE_FULL, BUSY, …): the outbox then keeps the message in memory (within its hard bound).
 */
export interface OutboxSpill {
  /** Appends a write after every spilled one; returns its id. */
  add(row: Omit<SpillRow, "id">, payload: DurableCall): number;
  /** A coalesced update: the newer content replaces the spilled one (latest wins). */
  replace(id: number, payload: DurableCall): void;
  load(id: number): DurableCall | undefined;
  remove(id: number): void;
  /** Everything spilled, in delivery order (read back at start). */
  list(): SpillRow[];
  /**
   * At shutdown, in one transaction: keeps exactly `entries`, in this order (spilled rows are
   * re-sequenced, in-memory writes are added) and deletes every other row (already delivered).
   */
  persist(entries: SpillEntry[], now: number): void;
  count(): number;
}

export function createStoredSpill(store: Store, now: () => number = Date.now): OutboxSpill {
  const db = store.db;
  const insert = db.prepare(
    `INSERT INTO slack_outbox_spill (seq, lane, method, coalesce_key, priority, payload, created_at)
     VALUES (COALESCE((SELECT MAX(seq) FROM slack_outbox_spill), 0) + 1, ?, ?, ?, ?, ?, ?)`,
  );
  const insertAt = db.prepare(
    `INSERT INTO slack_outbox_spill (seq, lane, method, coalesce_key, priority, payload, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const setPayload = db.prepare("UPDATE slack_outbox_spill SET payload = ? WHERE id = ?");
  const setSeq = db.prepare("UPDATE slack_outbox_spill SET seq = ? WHERE id = ?");
  const get = db.prepare("SELECT payload FROM slack_outbox_spill WHERE id = ?");
  const del = db.prepare("DELETE FROM slack_outbox_spill WHERE id = ?");
  const all = db.prepare(
    "SELECT id, lane, method, coalesce_key, priority FROM slack_outbox_spill ORDER BY seq, id",
  );
  const ids = db.prepare("SELECT id FROM slack_outbox_spill");
  const count = db.prepare("SELECT COUNT(*) AS n FROM slack_outbox_spill");
  return {
    add(row, payload) {
      const r = insert.run(
        row.lane,
        row.method,
        row.coalesceKey ?? null,
        row.priority ? 1 : 0,
        JSON.stringify(payload),
        now(),
      );
      return Number(r.lastInsertRowid);
    },
    replace(id, payload) {
      setPayload.run(JSON.stringify(payload), id);
    },
    load(id) {
      const r = get.get(id) as { payload: string } | undefined;
      return r ? (JSON.parse(r.payload) as DurableCall) : undefined;
    },
    remove(id) {
      del.run(id);
    },
    list() {
      return (
        all.all() as {
          id: number;
          lane: string;
          method: string;
          coalesce_key: string | null;
          priority: number;
        }[]
      ).map((r) => ({
        id: r.id,
        lane: r.lane,
        method: r.method,
        ...(r.coalesce_key === null ? {} : { coalesceKey: r.coalesce_key }),
        priority: r.priority === 1,
      }));
    },
    persist(entries, at) {
      // Durable: this is the last write of a stopping bot, and what it holds is the only copy.
      store.durable(() => {
        const keep = new Set<number>();
        entries.forEach((e, i) => {
          if ("id" in e) {
            keep.add(e.id);
            setSeq.run(i + 1, e.id);
          } else {
            const r = insertAt.run(
              i + 1,
              e.lane,
              e.method,
              e.coalesceKey ?? null,
              e.priority ? 1 : 0,
              JSON.stringify(e.payload),
              at,
            );
            keep.add(Number(r.lastInsertRowid));
          }
        });
        for (const { id } of ids.all() as { id: number }[]) if (!keep.has(id)) del.run(id);
      });
    },
    count: () => (count.get() as { n: number }).n,
  };
}
