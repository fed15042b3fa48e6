import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../src/config/load.js";
import { prune } from "../src/runtime/retention.js";
import { openStore, type Store } from "../src/store/store.js";
import { printTable } from "./stats.js";

/**
 * Database size after 30 simulated days of a 1,000-device fleet polled every 5 minutes, with retention
 * off, at its defaults, and short (7 days everywhere), pruned daily as the owner does. Rows are written
 * straight into the tables (the poller's cost is bench/fleet-cache's business); what grows without
 * bound is history, so the bench writes each day's history at these rates (printed with the result):
 */
const DEVICES = 1000;
const PORTS = 48;
const POLLS_PER_DAY = 288; // every 5 minutes
const CHANGE_RATE = 0.01; // share of device polls that log a change (a port flap, a drive, a reboot)
const COMMANDS_PER_DAY = 300; // audit rows
const RUNS_PER_DAY = 20; // each 3 steps × 20 KB of output
const OUTPUT_PER_STEP = 20 * 1024;
const ALERTS_PER_DAY = 50; // each resolved the same day, with 2 notes
const DAYS = 30;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

function seedFleet(store: Store): void {
  const dev = store.db.prepare(
    "INSERT INTO device_state (name, host, poll_interval_ms) VALUES (?, '10.0.0.1', 300000)",
  );
  const port = store.db.prepare(
    `INSERT INTO interface_state (device, if_index, name, descr, alias, admin_status, oper_status, last_change_cs,
       speed_mbps, in_errors, out_errors, in_discards, out_discards, in_octets, out_octets, counter_bits, polled_at, oper_down)
     VALUES (?, ?, ?, ?, '', 'up', 'up', 0, 1000, 0, 0, 0, 0, '0', '0', 64, ?, 0)`,
  );
  store.tx(() => {
    for (let d = 0; d < DEVICES; d++) {
      const name = `sw${String(d).padStart(4, "0")}`;
      dev.run(name);
      for (let p = 1; p <= PORTS; p++) port.run(name, p, `Gi1/0/${p}`, `GigabitEthernet1/0/${p}`, T0);
    }
  });
}

function writeDay(store: Store, day: number, runId: { next: number }): void {
  const start = T0 + day * DAY;
  const db = store.db;
  const change = db.prepare(
    "INSERT INTO change_log (at, device, kind, object_key, old, new, detail) VALUES (?, ?, 'port_oper', ?, 'up', 'down', ?)",
  );
  const audit = db.prepare(
    "INSERT INTO audit (at, user_id, user_name, channel, transport, kind, text, command, outcome) VALUES (?, 'U1', 'alice', 'C1', 'slack', 'command', 'links down core', 'links down', 'ok')",
  );
  const run = db.prepare(
    `INSERT INTO runs (id, runbook, runbook_hash, status, params, secret_params, targets, locks, requested_by,
       requested_by_name, channel, requested_at, started_at, finished_at, updated_at)
     VALUES (?, 'service-restart', 'h', 'succeeded', '{"host":"web01"}', '[]', '["web01"]', '[]', 'U1', 'alice', 'C1', ?, ?, ?, ?)`,
  );
  const step = db.prepare(
    "INSERT INTO run_steps (run_id, key, step_id, name, kind, ordinal, status, attempt) VALUES (?, ?, ?, ?, 'ssh', ?, 'succeeded', 1)",
  );
  const event = db.prepare(
    "INSERT INTO run_journal (run_id, seq, at, event, step_key) VALUES (?, ?, ?, ?, ?)",
  );
  const output = db.prepare(
    "INSERT INTO run_output (run_id, step_key, attempt, stream, at, text) VALUES (?, ?, 1, 'stdout', ?, ?)",
  );
  const group = db.prepare(
    "INSERT INTO alert_group (device, rule, channel, ts, opened_at, closed_at, dirty) VALUES (?, 'port_down', 'C2', '1.0', ?, ?, 0)",
  );
  const alert = db.prepare(
    `INSERT INTO alert (key, device, rule, object, severity, status, condition, value, since, fired_at, resolved_at, group_id)
     VALUES (?, ?, 'port_down', 'Gi1/0/1', 'warning', 'resolved', 'ok', 'up', ?, ?, ?, ?)`,
  );
  const note = db.prepare("INSERT INTO alert_note (group_id, text, posted) VALUES (?, ?, 1)");
  const chunk = "x".repeat(1024);
  store.tx(() => {
    const changes = Math.round(DEVICES * POLLS_PER_DAY * CHANGE_RATE);
    for (let i = 0; i < changes; i++) {
      const at = start + Math.floor((i / changes) * DAY);
      change.run(
        at,
        `sw${String(i % DEVICES).padStart(4, "0")}`,
        `Gi1/0/${(i % PORTS) + 1}`,
        '{"speedMbps":1000}',
      );
    }
    for (let i = 0; i < COMMANDS_PER_DAY; i++) audit.run(start + i * 1000);
    for (let r = 0; r < RUNS_PER_DAY; r++) {
      const id = runId.next++;
      const at = start + r * 60_000;
      run.run(id, at, at, at + 30_000, at + 30_000);
      for (let s = 0; s < 3; s++) {
        step.run(id, `s${s}`, `s${s}`, `step ${s}`, s);
        event.run(id, 2 * s + 1, at, "step.started", `s${s}`);
        event.run(id, 2 * s + 2, at, "step.finished", `s${s}`);
        for (let k = 0; k < OUTPUT_PER_STEP / chunk.length; k++) output.run(id, `s${s}`, at, chunk);
      }
    }
    for (let a = 0; a < ALERTS_PER_DAY; a++) {
      const at = start + a * 60_000;
      const g = Number(group.run(`sw${String(a).padStart(4, "0")}`, at, at + 600_000).lastInsertRowid);
      alert.run(`d${day}a${a}`, `sw${String(a).padStart(4, "0")}`, at, at, at + 600_000, g);
      note.run(g, "port Gi1/0/1 back up after 10m");
      note.run(g, "acked by bob");
    }
  });
}

const SHORT = "{ change_log: 7d, run_output: 7d, run_journal: 7d, alert_history: 7d, audit: 7d }";

async function simulate(
  mode: "off" | "defaults" | "short",
): Promise<{ bytes: number; rows: number; ms: number }> {
  const dir = mkdtempSync(join(tmpdir(), "opsbot-bench-retention-"));
  const config = parseConfig(mode === "short" ? `retention: ${SHORT}` : "{}", "bench.yaml", {});
  try {
    const store = openStore(join(dir, "opsbot.db"));
    store.db.prepare("INSERT INTO runbook_versions VALUES ('h', 'service-restart', 'x.yaml', '', 0)").run();
    seedFleet(store);
    const runId = { next: 1 };
    let pruneMs = 0;
    for (let day = 0; day < DAYS; day++) {
      writeDay(store, day, runId);
      if (mode !== "off") {
        const t = performance.now();
        await prune(store, config, T0 + (day + 1) * DAY);
        pruneMs += performance.now() - t;
      }
    }
    store.db.pragma("wal_checkpoint(TRUNCATE)");
    const rows = ["change_log", "audit", "run_output", "run_journal", "alert", "alert_note"]
      .map((t) => store.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number)
      .reduce((a, b) => a + b, 0);
    store.close();
    return { bytes: statSync(join(dir, "opsbot.db")).size, rows, ms: pruneMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const off = await simulate("off");
const defaults = await simulate("defaults");
const short = await simulate("short");
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
process.stdout.write(
  `${DAYS} days, ${DEVICES} devices × ${PORTS} ports, polled every 5 min; per day: ${Math.round(DEVICES * POLLS_PER_DAY * CHANGE_RATE)} changes, ` +
    `${COMMANDS_PER_DAY} commands, ${RUNS_PER_DAY} runs × 3 steps × ${OUTPUT_PER_STEP / 1024} KB output, ${ALERTS_PER_DAY} alerts\n`,
);
const line = (r: { bytes: number; rows: number; ms: number }, prunes: boolean): string =>
  `${mb(r.bytes)} (${(r.bytes / off.bytes).toFixed(2)}× off), ${r.rows} history rows${prunes ? `, 30 daily prunes took ${r.ms.toFixed(0)} ms` : ""}`;
printTable("database file after 30 days", [
  ["retention off", line(off, false)],
  ["retention defaults (change log 90d, run output 30d…)", line(defaults, true)],
  [`retention short ${SHORT}`, line(short, true)],
]);
