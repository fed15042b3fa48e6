import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createAuditRepo } from "../../src/store/audit-repo.js";
import type { Migration } from "../../src/store/migrations/migration.js";
import { migrate, openStore } from "../../src/store/store.js";
import { tempDir } from "../support/temp.js";

const dirs: { cleanup: () => void }[] = [];
const dbFile = () => {
  const d = tempDir();
  dirs.push(d);
  return join(d.path, "sub", "opsbot.db");
};
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup();
});

describe("store", () => {
  it("creates the file and its directory, in WAL mode, with every migration recorded", () => {
    const path = dbFile();
    const store = openStore(path);
    expect(store.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(store.db.pragma("busy_timeout", { simple: true })).toBe(5000);
    const ids = store.db.prepare("SELECT id FROM schema_migrations ORDER BY id").pluck().all();
    expect(ids).toContain(1);
    store.close();
  });

  it("re-opening applies nothing twice and keeps the data", () => {
    const path = dbFile();
    const first = openStore(path);
    createAuditRepo(first).record({
      at: 1,
      userId: "u",
      userName: "u",
      channel: "c",
      transport: "console",
      kind: "command",
      text: "help",
      outcome: "ok",
    });
    const count = first.db.prepare("SELECT count(*) FROM schema_migrations").pluck().get();
    first.close();
    const second = openStore(path);
    expect(second.db.prepare("SELECT count(*) FROM schema_migrations").pluck().get()).toBe(count);
    expect(createAuditRepo(second).recent(10)).toHaveLength(1);
    second.close();
  });

  it("applies only new migrations, in id order, and rolls back a failing one whole", () => {
    const db = new Database(dbFile().replace("/sub/", "/"));
    const m = (id: number, sql: string): Migration => ({ id, name: `m${id}`, sql });
    expect(migrate(db, [m(2, "CREATE TABLE b (x)"), m(1, "CREATE TABLE a (x)")])).toEqual([1, 2]);
    expect(migrate(db, [m(1, "CREATE TABLE a (x)"), m(2, "CREATE TABLE b (x)")])).toEqual([]);
    expect(() => migrate(db, [m(3, "CREATE TABLE c (x); CREATE TABLE oops (")])).toThrow();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'c'").get()).toBeUndefined();
    expect(db.prepare("SELECT count(*) FROM schema_migrations").pluck().get()).toBe(2);
    expect(() => migrate(db, [m(4, "SELECT 1"), m(4, "SELECT 2")])).toThrow(/share id 4/);
    db.close();
  });

  it("commits durable transactions with synchronous=FULL and returns to NORMAL", () => {
    const store = openStore(dbFile());
    let inside: unknown;
    store.durable(() => {
      inside = store.db.pragma("synchronous", { simple: true });
    });
    expect(inside).toBe(2); // FULL
    expect(store.db.pragma("synchronous", { simple: true })).toBe(1); // NORMAL
    store.close();
  });

  it("a durable commit nested in a durable one joins it; one nested in a normal one is refused and rolls back", () => {
    const store = openStore(dbFile());
    store.db.exec("CREATE TABLE t (x)");
    store.durable(() => {
      store.db.prepare("INSERT INTO t VALUES (1)").run();
      store.durable(() => store.db.prepare("INSERT INTO t VALUES (2)").run());
      expect(store.db.pragma("synchronous", { simple: true })).toBe(2);
    });
    expect(() =>
      store.tx(() => {
        store.db.prepare("INSERT INTO t VALUES (3)").run();
        store.durable(() => store.db.prepare("INSERT INTO t VALUES (4)").run());
      }),
    ).toThrow(/durable write was nested inside a normal transaction/);
    expect(store.db.prepare("SELECT x FROM t ORDER BY x").pluck().all()).toEqual([1, 2]);
    // A durable commit that throws rolls back and still leaves the connection at NORMAL.
    expect(() =>
      store.durable(() => {
        store.db.prepare("INSERT INTO t VALUES (5)").run();
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(store.db.prepare("SELECT count(*) FROM t").pluck().get()).toBe(2);
    expect(store.db.pragma("synchronous", { simple: true })).toBe(1);
    store.close();
  });

  it("a read-then-write transaction takes the write lock first, so another connection's commit cannot fail it", () => {
    // Another process (the owner's heartbeat, a CLI call) writing between this transaction's read and its
    // write: with a deferred BEGIN the write fails at once with SQLITE_BUSY (a stale snapshot cannot be
    // upgraded and the busy handler is not consulted). The other connection here does not wait
    // (busy_timeout 0) so the test cannot hang.
    const path = dbFile();
    const store = openStore(path);
    store.db.exec("CREATE TABLE lease (n INTEGER)");
    store.db.exec("INSERT INTO lease VALUES (0)");
    const other = new Database(path);
    other.pragma("busy_timeout = 0");
    for (const commit of [store.tx, store.durable]) {
      let otherWrote: boolean | undefined;
      commit(() => {
        const n = store.db.prepare("SELECT n FROM lease").pluck().get() as number;
        try {
          other.prepare("UPDATE lease SET n = n + 100").run();
          otherWrote = true;
        } catch (err) {
          expect((err as { code?: string }).code).toBe("SQLITE_BUSY");
          otherWrote = false;
        }
        store.db.prepare("UPDATE lease SET n = ?").run(n + 1);
      });
      expect(otherWrote).toBe(false);
    }
    expect(store.db.prepare("SELECT n FROM lease").pluck().get()).toBe(2);
    other.close();
    store.close();
  });

  it("explains a database path it cannot open in one sentence", () => {
    const blocker = dbFile();
    openStore(blocker).close();
    // A regular file where a directory should be: no process can create the database there.
    expect(() => openStore(join(blocker, "cannot.db"))).toThrowError(
      /^Cannot open the database at .*opsbot\.db\/cannot\.db: .*Check the path \(OPSBOT_DB or --db\)/,
    );
  });
});
