import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { migrations } from "../../src/store/migrations/index.js";
import { openStore } from "../../src/store/store.js";
import { tempDir } from "../support/temp.js";

/**
 * Migration 165: run_steps rebuilt with its status CHECK as an OR chain (an IN list makes SQLite build
 * a temporary index on every UPDATE). Every row must survive with every column as it was, and the CHECK
 * must still refuse a status that is not a step status — on insert and on update.
 */
const dirs: { cleanup: () => void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup();
});

const COLUMNS = `run_id, key, step_id, name, kind, target, ordinal, rollback_of, status, attempt, command,
  started_at, finished_at, duration_ms, exit_code, error, output_bytes, output_truncated`;

describe("run_steps status check (migration 165)", () => {
  it("keeps every row and column, still refuses unknown statuses, and has no IN list left", () => {
    const d = tempDir();
    dirs.push(d);
    const path = join(d.path, "opsbot.db");
    const before = openStore(path, { migrations: migrations.filter((m) => m.id < 165) });
    before.db.prepare("INSERT INTO runbook_versions VALUES ('h', 'rb', 'rb.yaml', 'x', 1)").run();
    before.db
      .prepare(`INSERT INTO runs (id, runbook, runbook_hash, status, params, secret_params, targets, locks,
        requested_by, requested_by_name, channel, requested_at, updated_at)
        VALUES (?, 'rb', 'h', 'running', '{}', '[]', '[]', '[]', 'U1', 'alice', 'C1', 1, 1)`)
      .run(7);
    const statuses = [
      "pending",
      "running",
      "waiting",
      "succeeded",
      "failed",
      "skipped",
      "cancelled",
      "interrupted",
    ];
    const insert = before.db.prepare(
      `INSERT INTO run_steps (${COLUMNS}) VALUES (${COLUMNS.split(",")
        .map(() => "?")
        .join(", ")})`,
    );
    statuses.forEach((status, i) => {
      insert.run(
        7,
        `k${i}@web${i}`,
        `k${i}`,
        `step ${i}`,
        i % 2 ? "ssh" : "wait",
        i % 3 ? `web${i}` : null,
        i,
        i === 5 ? "k4@web4" : null,
        status,
        i,
        i % 2 ? `echo '${i}'` : null,
        i ? 1000 + i : null,
        i > 2 ? 2000 + i : null,
        i > 2 ? i * 10 : null,
        i === 4 ? 1 : null,
        i === 4 ? "exit code 1" : null,
        i * 100,
        i % 2,
      );
    });
    const rows = before.db.prepare(`SELECT ${COLUMNS} FROM run_steps ORDER BY run_id, key`).raw().all();
    before.close();

    const after = openStore(path);
    const db = after.db;
    expect(db.prepare(`SELECT ${COLUMNS} FROM run_steps ORDER BY run_id, key`).raw().all()).toEqual(rows);
    const sql = db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'run_steps'").pluck().get() as string;
    expect(sql).toMatch(/WITHOUT ROWID/);
    expect(sql).not.toMatch(/status\s+IN\s*\(/i);
    expect(() =>
      db
        .prepare(
          "INSERT INTO run_steps (run_id, key, step_id, name, kind, ordinal, status) VALUES (7, 'x', 'x', 'x', 'wait', 9, 'done')",
        )
        .run(),
    ).toThrow(/CHECK constraint failed/);
    expect(() => db.prepare("UPDATE run_steps SET status = 'Running' WHERE key = 'k0@web0'").run()).toThrow(
      /CHECK constraint failed/,
    );
    for (const s of statuses) db.prepare("UPDATE run_steps SET status = ? WHERE key = 'k0@web0'").run(s);
    // The key still decides uniqueness, and the foreign key to runs still holds.
    expect(() =>
      db
        .prepare(
          `INSERT INTO run_steps (run_id, key, step_id, name, kind, ordinal, status) VALUES (7, 'k1@web1', 'x', 'x', 'wait', 9, 'pending')`,
        )
        .run(),
    ).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() =>
      db
        .prepare(
          `INSERT INTO run_steps (run_id, key, step_id, name, kind, ordinal, status) VALUES (8, 'y', 'x', 'x', 'wait', 9, 'pending')`,
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    after.close();
  });
});
