/**
 * Device cache at fleet scale: 10,000 devices with 50 ports each (500,000 ports) in a real SQLite file,
 * written through the poller's real write path (diff + one transaction per device poll), then the
 * chat answers timed end to end (query + reply building).
 *
 * Targets: `links down` p99 ≤ 50 ms, `links <device>` p99 ≤ 5 ms, resident memory ≤ 200 MB.
 * Run: npm run build && node dist/bench/fleet-cache.js [devices] [portsPerDevice]
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import linksCommand from "../commands/links.js";
import linksDownCommand from "../commands/links-down.js";
import type { Command, Services } from "../commands/services.js";
import type { ParsedArgs } from "../src/chat/command.js";
import { configSchema } from "../src/config/schema.js";
import { ManualClock } from "../src/lib/clock.js";
import { silentLogger } from "../src/lib/logger.js";
import { Redactor } from "../src/lib/redact.js";
import { createFleetQueries } from "../src/management/fleet-queries.js";
import type { DeviceObservation, InterfaceObservation } from "../src/management/observations.js";
import { noPoller } from "../src/management/poller.js";
import { recordPoll } from "../src/management/record-poll.js";
import { createStateRepo } from "../src/management/state-repo.js";
import { createAuditRepo } from "../src/store/audit-repo.js";
import { openStore } from "../src/store/store.js";
import { percentile } from "./stats.js";

const DEVICES = Number(process.argv[2] ?? 10_000);
const PORTS = Number(process.argv[3] ?? 50);
const TAGS = 20;
const SITES = 10;
const BOOT = Date.UTC(2025, 0, 1);

/** Deterministic pseudo-random numbers, so runs compare. */
let seed = 42;
const rand = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};

/** A stable number in [0, 1) per key. */
function hash(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return (h >>> 0) / 2 ** 32;
}

function observation(device: string, at: number, round: number): DeviceObservation {
  const uptimeCs = Math.floor((at - BOOT) / 10);
  const interfaces: InterfaceObservation[] = [];
  for (let i = 1; i <= PORTS; i++) {
    // Each port keeps its state between rounds, except ~0.5% that flip (what a real fleet does).
    const r = hash(`${device}/${i}`);
    const flipped = round > 0 && hash(`${device}/${i}/${round}`) < 0.005;
    const adminDown = r < 0.1;
    const operDown = adminDown || r < 0.15 !== flipped; // ~5% admin up / oper down
    interfaces.push({
      ifIndex: i,
      name: `Gi1/0/${i}`,
      descr: `GigabitEthernet1/0/${i}`,
      alias: i % 7 === 0 ? `server-${device}-${i}` : "",
      adminStatus: adminDown ? "down" : "up",
      operStatus: operDown ? "down" : "up",
      lastChangeCs: Math.max(0, uptimeCs - Math.floor(hash(`${device}/${i}/t`) * 8_640_000)),
      speedMbps: i > PORTS - 2 ? 10_000 : 1000,
      inErrors: rand() < 0.02 ? Math.floor(rand() * 1000) : 0,
      outErrors: 0,
      inDiscards: 0,
      outDiscards: 0,
      inOctets: BigInt(round) * 37_500_000n + BigInt(i) * 2n ** 40n,
      outOctets: BigInt(round) * 12_500_000n + BigInt(i) * 2n ** 39n,
      counterBits: 64,
    });
  }
  return {
    device,
    at,
    system: {
      descr: "Cisco IOS XE Software, Version 17.09.04a",
      objectId: "1.3.6.1.4.1.9.1.2494",
      name: device,
      uptimeCs,
    },
    interfaces,
    entity: {
      model: "C9300-48P",
      serial: `FOC${device}`,
      hardwareRev: "V02",
      firmwareRev: "",
      softwareRev: hash(device) < 0.1 ? "17.6.5" : "17.9.4a",
      source: "entity-mib",
    },
    errors: [],
    reachable: true,
  };
}

/**
 * Wall time per call, and the CPU time the call used: on a loaded machine the wall-clock tail is the
 * scheduler's, while the CPU time is ours.
 */
async function time(label: string, runs: number, fn: (i: number) => unknown): Promise<void> {
  for (let i = 0; i < Math.min(20, runs); i++) await fn(i); // warm up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = process.hrtime.bigint();
    await fn(i);
    wall.push(Number(process.hrtime.bigint() - t) / 1e6);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  const fmt = (n: number) => n.toFixed(2).padStart(7);
  console.log(
    `${label.padEnd(34)} runs ${String(runs).padStart(5)}  wall p50 ${fmt(percentile(wall, 50))} p99 ${fmt(percentile(wall, 99))} ms  cpu p50 ${fmt(percentile(cpu, 50))} p99 ${fmt(percentile(cpu, 99))} ms`,
  );
}

async function main(): Promise<void> {
  // FLEET_BENCH_DB=path keeps the built cache there and reuses it on the next run (for profiling).
  const keep = process.env.FLEET_BENCH_DB;
  const dir = mkdtempSync(join(tmpdir(), "opsbot-bench-cache-"));
  const path = keep ?? join(dir, "opsbot.db");
  try {
    const store = openStore(path);
    const built = (store.db.prepare("SELECT count(*) FROM device_state").pluck().get() as number) === DEVICES;
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    const names = Array.from({ length: DEVICES }, (_, i) => `sw${String(i).padStart(5, "0")}`);
    const repo = createStateRepo(store);
    if (!built)
      repo.syncDevices(
        names.map((name, i) => ({
          name,
          host: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
          site: `site${i % SITES}`,
          tags: [`tag${i % TAGS}`, i % 2 === 0 ? "access" : "distribution"],
          pollIntervalMs: 300_000,
        })),
      );

    // Two full polling rounds: the second one diffs against the first (rates, change log).
    for (let round = 0; round < (built ? 0 : 2); round++) {
      const started = process.hrtime.bigint();
      for (const name of names) {
        recordPoll(store, repo, observation(name, clock.now(), round));
        clock.advance(Math.floor(300_000 / DEVICES));
      }
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      console.log(
        `poll round ${round + 1}: ${DEVICES} device polls (${DEVICES * PORTS} ports) recorded in ${(ms / 1000).toFixed(1)} s = ${Math.round(DEVICES / (ms / 1000))} polls/s, ${(ms / DEVICES).toFixed(3)} ms per poll`,
      );
    }
    clock.advance(60_000);
    store.db.pragma("wal_checkpoint(TRUNCATE)");
    const counts = store.db
      .prepare(
        "SELECT (SELECT count(*) FROM interface_state) AS ports, (SELECT count(*) FROM interface_state WHERE oper_down = 1) AS down, (SELECT count(*) FROM change_log) AS changes",
      )
      .get() as { ports: number; down: number; changes: number };
    console.log(
      `cache: ${DEVICES} devices, ${counts.ports} ports, ${counts.down} admin-up/oper-down, ${counts.changes} change-log rows, file ${(statSync(path).size / 1e6).toFixed(0)} MB`,
    );

    const fleet = createFleetQueries({ store, clock, baselines: { "C9300-*": { min: "17.9.1" } } });
    // The links commands read only the fleet; the other subsystems are not built for this bench.
    const absent = {} as never;
    const services: Services = {
      config: configSchema.parse({}),
      clock,
      logger: silentLogger(),
      audit: createAuditRepo(store),
      redactor: new Redactor(),
      commands: [],
      fleet,
      poller: noPoller,
      backups: absent,
      orchestration: absent,
      runReporter: absent,
      alerts: absent,
      inventory: absent,
    };
    const ask = (spec: Command, values: ParsedArgs["values"]) =>
      spec.handler(
        { values, extra: {} },
        { user: { id: "U1", name: "bench", roles: [] }, channel: "bench", text: spec.name, services },
      );

    const plan = (sql: string) =>
      (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
        .map((p) => p.detail)
        .join(" / ");
    console.log(
      `plan, links down rows:  ${plan("SELECT * FROM interface_state WHERE oper_down = 1 ORDER BY down_since DESC LIMIT 50")}`,
    );
    console.log(
      `plan, links down count: ${plan("SELECT count(*), min(polled_at) FROM interface_state INDEXED BY interface_down_device WHERE oper_down = 1")}`,
    );

    console.log(
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")} on ${cpus().length} CPUs`,
    );
    if (global.gc) global.gc(); // drop the garbage of building the cache (when run with --expose-gc)
    await time("links down (whole fleet)", 200, () => ask(linksDownCommand, {}));
    await time(`links down <tag> (1/${TAGS} of fleet)`, 200, (i) =>
      ask(linksDownCommand, { scope: `tag${i % TAGS}` }),
    );
    await time(`links down <site> (1/${SITES} of fleet)`, 200, (i) =>
      ask(linksDownCommand, { scope: `site${i % SITES}` }),
    );
    await time("links <device>", 2000, () =>
      ask(linksCommand, { device: names[Math.floor(rand() * DEVICES)]! }),
    );
    await time("links <device> <filter>", 2000, () =>
      ask(linksCommand, { device: names[Math.floor(rand() * DEVICES)]!, filter: "down" }),
    );
    await time("fleet counts (query only)", 50, () => fleet.fleet());

    const mem = process.memoryUsage();
    console.log(
      `memory: rss ${(mem.rss / 1e6).toFixed(0)} MB, heap used ${(mem.heapUsed / 1e6).toFixed(0)} MB, external ${(mem.external / 1e6).toFixed(0)} MB (targets: links down p99 ≤ 50 ms, links <device> p99 ≤ 5 ms, rss ≤ 200 MB)`,
    );
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
