import type Database from "better-sqlite3";
import { OpsbotError } from "../lib/errors.js";

/**
 * Transactions at two sync levels on one connection, cheap enough to run per run step: the
 * transaction wrapper is built once, and the level is switched with `exec` (SQLite applies
 * `PRAGMA synchronous` while compiling it, so a prepared PRAGMA cannot be re-run; `exec` skips
 * better-sqlite3's statement object and costs a fifth of `db.pragma`). SQLite
 * cannot change the level inside a transaction, so the outermost call chooses it; a nested call joins
 * the outer transaction as a savepoint, and a durable one nested in a normal one is refused rather than
 * silently committed with NORMAL. Outside a durable commit the connection is always at NORMAL, so
 * single statements written outside a transaction keep committing with NORMAL.
 *
 * The outermost transaction begins IMMEDIATE: it takes the write lock (waiting up to busy_timeout)
 * before its first read. A deferred one that reads and then writes fails at once with SQLITE_BUSY
 * when another process (the owner's heartbeat, a CLI call) committed in between — SQLite cannot
 * upgrade a stale snapshot, and its busy handler is not consulted for that.
 */
export interface Commits {
  /** Commits with synchronous=FULL: on disk before this returns, even across power loss. */
  durable<T>(fn: () => T): T;
  /** Commits with synchronous=NORMAL: safe against a crash of the process (WAL). */
  normal<T>(fn: () => T): T;
}

export function createCommits(db: Database.Database): Commits {
  const inTx = db.transaction((fn: () => unknown) => fn());
  let outerDurable = false;

  return {
    durable<T>(fn: () => T): T {
      if (db.inTransaction) {
        if (!outerDurable)
          throw new OpsbotError(
            "INTERNAL",
            "A durable write was nested inside a normal transaction; open the outer one with store.durable.",
          );
        return inTx(fn) as T;
      }
      db.exec("PRAGMA synchronous = FULL");
      outerDurable = true;
      try {
        return inTx.immediate(fn) as T;
      } finally {
        outerDurable = false;
        db.exec("PRAGMA synchronous = NORMAL");
      }
    },
    normal<T>(fn: () => T): T {
      return (db.inTransaction ? inTx(fn) : inTx.immediate(fn)) as T;
    },
  };
}
