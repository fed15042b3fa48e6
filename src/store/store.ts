import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type DatabaseConstructor from "better-sqlite3";
import { OpsbotError } from "../lib/errors.js";
import { createCommits } from "./commits.js";
import { migrations as allMigrations } from "./migrations/index.js";
import type { Migration } from "./migrations/migration.js";
import { sqliteNativeBinding } from "./native-binding.js";
import { unwritableMessage, unwritableReason } from "./open-errors.js";

export type Db = DatabaseConstructor.Database;

/**
 * better-sqlite3 is CommonJS: required, not imported, so Node skips scanning its sources for named
 * exports (cjs-module-lexer, a few ms of every cold start) — the default export is all we use.
 */
const Database = createRequire(import.meta.url)("better-sqlite3") as typeof DatabaseConstructor;

export interface Store {
  readonly db: Db;
  readonly path: string;
  /**
   * Runs `fn` in a transaction committed with synchronous=FULL: the commit is on disk before this
   * returns, even across power loss. Use it for rows whose loss would matter (audit, approvals, run
   * journal). Everything else (the device cache, rebuilt by the next poll) commits with NORMAL, which
   * in WAL mode is safe against a crash of opsbot and only loses the newest commits on power loss.
   */
  durable<T>(fn: () => T): T;
  /**
   * A normal transaction (synchronous=NORMAL). Inside a running transaction, `durable` and `tx` join
   * it (as a savepoint); `durable` inside a normal one is refused, because SQLite cannot change the
   * sync level of a commit already under way.
   */
  tx<T>(fn: () => T): T;
  close(): void;
}

export interface OpenStoreOptions {
  migrations?: Migration[];
  /** ms to wait on a lock held by another connection before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

/** Opens (creating if needed) the SQLite database and applies pending migrations. */
export function openStore(path: string, options: OpenStoreOptions = {}): Store {
  let db: Db | undefined;
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const nativeBinding = sqliteNativeBinding();
    db = new Database(path, nativeBinding ? { nativeBinding } : {});
    // Only takes effect on a new (empty) database: freed pages can then be returned with
    // `PRAGMA incremental_vacuum` after pruning, instead of the file only ever growing.
    db.pragma("auto_vacuum = INCREMENTAL");
    db.pragma("journal_mode = WAL");
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    migrate(db, options.migrations ?? allMigrations);
  } catch (err) {
    if (db?.open) db.close();
    throw openError(path, err);
  }
  const commits = createCommits(db);
  return {
    db,
    path,
    durable: commits.durable,
    tx: commits.normal,
    close: () => {
      if (db.open) db.close();
    },
  };
}

/**
 * A database that cannot be opened or written at start: the path and, when the file system tells,
 * the permission or mount problem — not SQLite's "attempt to write a readonly database".
 */
function openError(path: string, err: unknown): Error {
  if (err instanceof OpsbotError) return err;
  const reason = path === ":memory:" ? undefined : unwritableReason(path);
  if (reason) return new OpsbotError("STORE_UNAVAILABLE", unwritableMessage(path, reason), { cause: err });
  return new OpsbotError(
    "STORE_UNAVAILABLE",
    `Cannot open the database at ${path}: ${(err as Error).message}. Check the path (OPSBOT_DB or --db) and its permissions.`,
    { cause: err },
  );
}

/** Applies every migration not yet recorded. Safe to run any number of times. */
export function migrate(db: Db, migrations: Migration[]): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = new Set(
    (db.prepare("SELECT id FROM schema_migrations").all() as { id: number }[]).map((r) => r.id),
  );
  const ids = new Set<number>();
  for (const m of migrations) {
    if (ids.has(m.id)) throw new OpsbotError("INTERNAL", `Two migrations share id ${m.id}.`);
    ids.add(m.id);
  }
  const ran: number[] = [];
  const record = db.prepare("INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)");
  for (const m of [...migrations].sort((a, b) => a.id - b.id)) {
    if (applied.has(m.id)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.id, m.name, Date.now());
    })();
    ran.push(m.id);
  }
  return ran;
}
