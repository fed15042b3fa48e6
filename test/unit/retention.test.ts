import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { prune } from "../../src/runtime/retention.js";
import { openStore, type Store } from "../../src/store/store.js";
import { tempDir } from "../support/temp.js";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);

/** A real SQLite file with rows of known ages; `prune` runs with the clock at NOW. */
describe("retention", () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let transactions: number;
  let counted: Store;

  beforeEach(() => {
    dir = tempDir();
    store = openStore(join(dir.path, "r.db"));
    transactions = 0;
    counted = {
      ...store,
      tx: (fn) => {
        transactions++;
        return store.tx(fn);
      },
    };
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  const db = () => store.db;
  const count = (sql: string) => db().prepare(sql).pluck().get() as number;
  const changeAt = (at: number) =>
    db()
      .prepare("INSERT INTO change_log (at, device, kind, object_key) VALUES (?, 'sw1', 'port_oper', 'Gi1')")
      .run(at);
  const auditAt = (at: number) =>
    db()
      .prepare(
        "INSERT INTO audit (at, user_id, user_name, channel, transport, kind, text, outcome) VALUES (?, 'u', 'u', 'c', 'cli', 'command', 't', 'ok')",
      )
      .run(at);
  const run = (id: number, status: string, finishedAt: number | null) => {
    db().prepare("INSERT OR IGNORE INTO runbook_versions VALUES ('h', 'rb', 'rb.yaml', '', 0)").run();
    db()
      .prepare(
        `INSERT INTO runs (id, runbook, runbook_hash, status, params, secret_params, targets, locks, requested_by,
           requested_by_name, channel, requested_at, finished_at, updated_at)
         VALUES (?, 'rb', 'h', ?, '{}', '[]', '[]', '[]', 'u', 'u', 'c', 0, ?, ?)`,
      )
      .run(id, status, finishedAt, finishedAt ?? NOW);
    db()
      .prepare(
        "INSERT INTO run_steps (run_id, key, step_id, name, kind, ordinal, status) VALUES (?, 's', 's', 's', 'local', 0, 'succeeded')",
      )
      .run(id);
    db()
      .prepare("INSERT INTO run_journal (run_id, seq, at, event) VALUES (?, 1, 0, 'run.requested')")
      .run(id);
    for (let i = 0; i < 3; i++) {
      db()
        .prepare(
          "INSERT INTO run_output (run_id, step_key, attempt, stream, at, text) VALUES (?, 's', 1, 'stdout', 0, 'x')",
        )
        .run(id);
    }
  };

  it("deletes exactly what is past its age, in batches, and nothing of runs that have not ended", async () => {
    const config = parseConfig("retention: { batch: 10 }", "t.yaml", {});
    for (let i = 0; i < 25; i++) changeAt(NOW - 90 * DAY - 1 - i); // past 90d
    changeAt(NOW - 90 * DAY + 1); // just inside
    for (let i = 0; i < 3; i++) auditAt(NOW - 366 * DAY);
    auditAt(NOW - 364 * DAY);
    run(1, "succeeded", NOW - 31 * DAY); // output goes, journal stays
    run(2, "succeeded", NOW - 29 * DAY); // everything stays
    run(3, "failed", NOW - 400 * DAY); // the whole run goes
    run(4, "interrupted", NOW - 400 * DAY); // outcome unknown: never pruned
    run(5, "running", null);

    const dry = await prune(counted, config, NOW, { dryRun: true });
    const byTable = (r: typeof dry, table: string) =>
      r.counts.filter((c) => c.table === table).reduce((n, c) => n + c.rows, 0);
    expect(byTable(dry, "change_log")).toBe(25);
    expect(byTable(dry, "audit")).toBe(3);
    expect(byTable(dry, "runs")).toBe(1);
    expect(count("SELECT count(*) FROM change_log")).toBe(26); // a dry run deletes nothing

    transactions = 0;
    const done = await prune(counted, config, NOW);
    expect(byTable(done, "change_log")).toBe(25);
    expect(transactions).toBeGreaterThanOrEqual(3); // 25 rows in batches of 10
    expect(count("SELECT count(*) FROM change_log")).toBe(1);
    expect(count("SELECT min(at) FROM change_log")).toBe(NOW - 90 * DAY + 1);
    expect(count("SELECT count(*) FROM audit")).toBe(1);
    expect(db().prepare("SELECT id FROM runs ORDER BY id").pluck().all()).toEqual([1, 2, 4, 5]);
    expect(db().prepare("SELECT DISTINCT run_id FROM run_output ORDER BY run_id").pluck().all()).toEqual([
      2, 4, 5,
    ]);
    expect(db().prepare("SELECT DISTINCT run_id FROM run_journal ORDER BY run_id").pluck().all()).toEqual([
      1, 2, 4, 5,
    ]);
    // A new database vacuums incrementally: the pages freed went back to the file system.
    expect(done.incremental).toBe(true);
    expect(count("PRAGMA freelist_count")).toBe(0);
  });

  it("Alertmanager groups resolved before alert_history go with their actions; firing or still silenced ones stay", async () => {
    const config = parseConfig("{}", "t.yaml", {});
    const group = (key: string, status: string, updatedAt: number, silenceUntil: number | null) => {
      db()
        .prepare(
          `INSERT INTO am_group (group_key, receiver, status, labels, annotations, alerts, channel, updated_at)
           VALUES (?, 'opsbot', ?, '{}', '{}', '{}', 'C1', ?)`,
        )
        .run(key, status, updatedAt);
      db()
        .prepare("INSERT INTO am_group_action (group_key, silence_id, silenced_until) VALUES (?, ?, ?)")
        .run(key, silenceUntil === null ? null : `s-${key}`, silenceUntil);
    };
    const old = NOW - 181 * DAY;
    group("old-resolved", "resolved", old, null);
    group("old-resolved-silence-ended", "resolved", old, old + 60_000);
    group("old-resolved-silence-holds", "resolved", old, NOW + DAY); // a --force silence still holding
    group("old-firing", "firing", old, null);
    group("recent-resolved", "resolved", NOW - 179 * DAY, null);

    const dry = await prune(store, config, NOW, { dryRun: true });
    const rows = (r: typeof dry, table: string) => r.counts.find((c) => c.table === table)?.rows;
    expect([rows(dry, "am_group_action"), rows(dry, "am_group")]).toEqual([2, 2]);
    const done = await prune(store, config, NOW);
    expect([rows(done, "am_group_action"), rows(done, "am_group")]).toEqual([2, 2]);
    const kept = ["old-firing", "old-resolved-silence-holds", "recent-resolved"];
    expect(db().prepare("SELECT group_key FROM am_group ORDER BY group_key").pluck().all()).toEqual(kept);
    expect(db().prepare("SELECT group_key FROM am_group_action ORDER BY group_key").pluck().all()).toEqual(
      kept,
    );
  });

  it("never prunes change log rows the alert engine has not read yet", async () => {
    const config = parseConfig("{}", "t.yaml", {});
    for (let i = 0; i < 5; i++) changeAt(NOW - 100 * DAY);
    db().prepare("INSERT INTO alert_cursor (consumer, last_id) VALUES ('alerts', 2)").run();
    await prune(store, config, NOW);
    expect(db().prepare("SELECT id FROM change_log ORDER BY id").pluck().all()).toEqual([3, 4, 5]);
  });

  it("removed devices go with their cached state once past removed_devices; present ones never", async () => {
    const config = parseConfig("{}", "t.yaml", {});
    const add = db().prepare(
      "INSERT INTO device_state (name, host, poll_interval_ms, removed_at) VALUES (?, 'h', 300000, ?)",
    );
    add.run("gone", NOW - 31 * DAY);
    add.run("recent", NOW - 29 * DAY);
    add.run("here", null);
    await prune(store, config, NOW);
    expect(db().prepare("SELECT name FROM device_state ORDER BY name").pluck().all()).toEqual([
      "here",
      "recent",
    ]);
  });
});
