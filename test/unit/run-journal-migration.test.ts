import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../src/lib/clock.js";
import { createJournal } from "../../src/orchestration/journal.js";
import { migrations } from "../../src/store/migrations/index.js";
import { migrate, openStore } from "../../src/store/store.js";
import { tempDir } from "../support/temp.js";

/**
 * Migration 164: the run journal keyed by (run_id, seq) WITHOUT ROWID, seq numbered per run. Existing
 * entries (numbered table-wide, runs interleaved) must all survive, in each run's old order; new entries
 * continue each run's numbering, also when two connections (the bot and a CLI call) append to one run.
 */
const dirs: { cleanup: () => void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup();
});
const dbPath = () => {
  const d = tempDir();
  dirs.push(d);
  return join(d.path, "opsbot.db");
};

type Row = [
  runId: number,
  at: number,
  event: string,
  stepKey: string | null,
  attempt: number | null,
  detail: string | null,
];

describe("run journal keyed by run (migration 164)", () => {
  it("renumbers existing entries per run in their old order, losing nothing, in one transaction", () => {
    const path = dbPath();
    // A database as it was before 164, with runs whose entries interleave.
    const before = openStore(path, { migrations: migrations.filter((m) => m.id < 164) });
    const db = before.db;
    db.prepare("INSERT INTO runbook_versions VALUES ('h', 'rb', 'rb.yaml', 'x', 1)").run();
    const insertRun =
      db.prepare(`INSERT INTO runs (id, runbook, runbook_hash, status, params, secret_params, targets,
      locks, requested_by, requested_by_name, channel, requested_at, updated_at)
      VALUES (?, 'rb', 'h', 'succeeded', '{}', '[]', '[]', '[]', 'U1', 'alice', 'C1', 1, 1)`);
    for (const id of [1, 2, 3, 4]) insertRun.run(id);
    const written: Row[] = [];
    for (let i = 0; i < 30; i++) {
      const runId = [1, 2, 2, 3, 1, 2][i % 6]!;
      written.push([
        runId,
        1000 + i,
        `event.${i}`,
        i % 4 === 0 ? null : `s${i}`,
        i % 3 === 0 ? null : i,
        i % 5 === 0 ? JSON.stringify({ i }) : null,
      ]);
    }
    const insert = db.prepare(
      "INSERT INTO run_journal (run_id, at, event, step_key, attempt, detail) VALUES (?, ?, ?, ?, ?, ?)",
    );
    for (const row of written) insert.run(...row);
    // A gap in the old numbering (as retention leaves) must not show in the new one.
    db.prepare("DELETE FROM run_journal WHERE event = 'event.4'").run();
    const kept = written.filter((r) => r[2] !== "event.4");
    before.close();

    const after = openStore(path);
    const rows = after.db
      .prepare(
        "SELECT run_id, seq, at, event, step_key, attempt, detail FROM run_journal ORDER BY run_id, seq",
      )
      .raw()
      .all() as unknown[][];
    expect(rows).toHaveLength(kept.length);
    for (const runId of [1, 2, 3]) {
      const mine = rows.filter((r) => r[0] === runId);
      const expected = kept.filter((r) => r[0] === runId);
      expect(mine.map((r) => r[1])).toEqual(expected.map((_, i) => i + 1));
      expect(mine.map(([id, , ...rest]) => [id, ...rest])).toEqual(expected);
    }
    expect(rows.some((r) => r[0] === 4)).toBe(false);
    // The table has no rowid and no second index any more.
    const sql = after.db
      .prepare("SELECT sql FROM sqlite_schema WHERE name = 'run_journal'")
      .pluck()
      .get() as string;
    expect(sql).toMatch(/WITHOUT ROWID/);
    expect(
      after.db
        .prepare(
          "SELECT name FROM sqlite_schema WHERE tbl_name = 'run_journal' AND type = 'index' AND sql IS NOT NULL",
        )
        .all(),
    ).toEqual([]);
    expect(after.db.pragma("integrity_check", { simple: true })).toBe("ok");
    expect(after.db.pragma("foreign_key_check")).toEqual([]);

    // New entries continue each run's numbering; a run without entries starts at 1.
    const journal = createJournal({ store: after, clock: systemClock });
    journal.appendEvent(2, "after.migration");
    journal.appendEvent(4, "first.of.four");
    const two = journal.events(2);
    expect(two.map((e) => e.seq)).toEqual(two.map((_, i) => i + 1));
    expect(two.at(-1)?.event).toBe("after.migration");
    expect(journal.events(4).map((e) => [e.seq, e.event])).toEqual([[1, "first.of.four"]]);
    after.close();
  });

  it("a migration that fails part-way leaves the old journal as it was", () => {
    const path = dbPath();
    const before = openStore(path, { migrations: migrations.filter((m) => m.id < 164) });
    before.db.prepare("INSERT INTO runbook_versions VALUES ('h', 'rb', 'rb.yaml', 'x', 1)").run();
    before.db
      .prepare(`INSERT INTO runs (id, runbook, runbook_hash, status, params, secret_params, targets,
      locks, requested_by, requested_by_name, channel, requested_at, updated_at)
      VALUES (1, 'rb', 'h', 'succeeded', '{}', '[]', '[]', '[]', 'U1', 'alice', 'C1', 1, 1)`)
      .run();
    before.db.prepare("INSERT INTO run_journal (run_id, at, event) VALUES (1, 5, 'run.requested')").run();
    // Something in the way of the new table's name: the migration must roll back whole.
    before.db.exec("CREATE TABLE run_journal_by_run (x)");
    const m164 = migrations.find((m) => m.id === 164)!;
    expect(() => migrate(before.db, [m164])).toThrow();
    expect(before.db.prepare("SELECT seq, event FROM run_journal").all()).toEqual([
      { seq: 1, event: "run.requested" },
    ]);
    expect(
      before.db.prepare("SELECT name FROM sqlite_schema WHERE name = 'run_journal_run'").pluck().get(),
    ).toBe("run_journal_run");
    before.close();
  });

  it("two connections appending to one run take consecutive numbers, never the same one", () => {
    const path = dbPath();
    const bot = openStore(path);
    const cli = openStore(path);
    const a = createJournal({ store: bot, clock: systemClock });
    const b = createJournal({ store: cli, clock: systemClock });
    a.saveVersion({ hash: "h", name: "rb", file: "rb.yaml", content: "x" });
    const run = a.createRun(
      {
        runbook: "rb",
        runbookHash: "h",
        params: {},
        secretParams: [],
        targets: [],
        locks: [],
        requestedBy: "U1",
        requestedByName: "alice",
        channel: "C1",
      },
      [{ key: "s", stepId: "s", name: "s", kind: "wait", target: null, ordinal: 0 }],
    );
    for (let i = 0; i < 10; i++) {
      (i % 3 === 0 ? b : a).appendEvent(run, `e${i}`);
      if (i % 2 === 0) a.durable(() => a.appendEvent(run, `d${i}`));
    }
    const events = b.events(run);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.event)).toEqual([
      "run.requested",
      ...Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? [`e${i}`, `d${i}`] : [`e${i}`])).flat(),
    ]);
    cli.close();
    bot.close();
  });
});
