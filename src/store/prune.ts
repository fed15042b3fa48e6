import type { Store } from "./store.js";

/**
 * One kind of row that ages out: `select` returns the keys (rowid or primary key) of rows past their
 * cutoff, oldest first, limited to one batch (`?` parameters: its own params, then the batch size).
 * Tables own their rules (management, orchestration, the audit log); this runs them all alike.
 */
export interface RetentionRule {
  /** What the user reads: "change log entries older than 90d". */
  label: string;
  table: string;
  /** The table's key column (rowid, seq, id). */
  key: string;
  /** `SELECT <key> FROM … WHERE … ORDER BY <key> LIMIT ?` */
  select: string;
  params: (string | number)[];
  /** For `--dry-run` when `select` depends on earlier rules having run (a parent after its children). */
  dryRunSelect?: string;
}

export interface PruneCount {
  label: string;
  table: string;
  rows: number;
}

/** Yields to the event loop between batches, so a long prune never starves polls and commands. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Deletes in batches of `batch` rows, one short transaction each: the write lock is held only for
 * one batch at a time. With `dryRun`, counts what would go and deletes nothing.
 */
export async function pruneRules(
  store: Store,
  rules: RetentionRule[],
  options: { batch: number; dryRun?: boolean; shouldStop?: () => boolean },
): Promise<PruneCount[]> {
  const out: PruneCount[] = [];
  for (const rule of rules) {
    if (options.dryRun) {
      const keys = (rule.dryRunSelect ?? rule.select).replace(/LIMIT \?\s*$/, "");
      const count = store.db
        .prepare(`SELECT count(*) FROM ${rule.table} WHERE ${rule.key} IN (${keys})`)
        .pluck()
        .get(...rule.params) as number;
      out.push({ label: rule.label, table: rule.table, rows: count });
      continue;
    }
    const del = store.db.prepare(`DELETE FROM ${rule.table} WHERE ${rule.key} IN (${rule.select})`);
    let rows = 0;
    for (;;) {
      if (options.shouldStop?.()) break;
      const n = store.tx(() => del.run(...rule.params, options.batch).changes);
      rows += n;
      // Rules keyed by run delete a batch of runs' rows, which may be fewer or more than `batch`.
      if (n === 0 || (rule.key !== "run_id" && n < options.batch)) break;
      await tick();
    }
    out.push({ label: rule.label, table: rule.table, rows });
  }
  return out;
}

/**
 * Gives free pages back to the file system, a bounded number at a time. Only databases created
 * with auto_vacuum = INCREMENTAL (every new one, see openStore) can; returns false for others.
 */
export function incrementalVacuum(store: Store, pages = 2000): boolean {
  if (Number(store.db.pragma("auto_vacuum", { simple: true })) !== 2) return false;
  store.db.pragma(`incremental_vacuum(${pages})`);
  return true;
}

/** Free pages in the file (what vacuum can give back). */
export function freePages(store: Store): number {
  return Number(store.db.pragma("freelist_count", { simple: true }));
}
