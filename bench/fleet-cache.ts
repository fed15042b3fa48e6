/**
 * Device cache at fleet scale: 10,000 and 50,000 devices with 50 ports each (0.5M and 2.5M ports) in
 * real SQLite files, written through the poller's real write path (diff + one transaction per device
 * poll, aggregates included), then the chat answers timed end to end (query + reply building),
 * fleet-wide and scoped to a tag and a site.
 *
 * An answer's cost should not grow with the fleet: each figure is printed as the ratio of the large
 * fleet to the small one, and against the floor measured in the same run (reading the answer's 100
 * port rows by primary key). Rounds alternate between the two caches; medians (range) of per-round
 * p50/p99. Targets: `links down` p99 ≤ 15 ms fleet-wide and scoped at 50k devices.
 * Run: npm run bench -- fleet-cache   (FLEET_SIZES=10000,50000 FLEET_ROUNDS=5 FLEET_CALLS=100 FLEET_BUILD_ROUNDS=2;
 * FLEET_BENCH_DIR=dir keeps the built caches there and reuses them on the next run)
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
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
import { createStoreHistory } from "../src/management/history/store-history.js";
import { noPoller } from "../src/management/poller.js";
import { recordPoll } from "../src/management/record-poll.js";
import { createStateRepo } from "../src/management/state-repo.js";
import { createAuditRepo } from "../src/store/audit-repo.js";
import { openStore } from "../src/store/store.js";
import { loadNow, medianRange, percentile, printTable } from "./stats.js";
import { observation, rand } from "./support/switch-observation.js";

const SIZES = (process.env.FLEET_SIZES ?? "10000,50000").split(",").map(Number);
const ROUNDS = Number(process.env.FLEET_ROUNDS ?? 5);
const CALLS = Number(process.env.FLEET_CALLS ?? 100);
const PORTS = 50;
/** Poll rounds written to build a cache; the second diffs against the first (rates, change log). */
const BUILD_ROUNDS = Number(process.env.FLEET_BUILD_ROUNDS ?? 2);
const TAGS = 20;
const SITES = 10;
/** Wall time per call (ms) after a short warm-up; on a loaded machine the tail is the scheduler's too. */
async function time(runs: number, fn: (i: number) => unknown): Promise<number[]> {
  for (let i = 0; i < Math.min(10, runs); i++) await fn(i);
  const wall: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    wall.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return wall;
}

interface Cache {
  devices: number;
  names: string[];
  ask(spec: Command, values: ParsedArgs["values"]): unknown;
  floor(): unknown;
  close(): void;
}

/** Builds (or reuses) a cache of `devices` devices and returns the answers to time over it. */
function openCache(dir: string, devices: number): Cache {
  const path = join(dir, `fleet-${devices}.db`);
  const store = openStore(path);
  const built = (store.db.prepare("SELECT count(*) FROM device_state").pluck().get() as number) === devices;
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
  const names = Array.from({ length: devices }, (_, i) => `sw${String(i).padStart(5, "0")}`);
  const repo = createStateRepo(store);
  if (!built) {
    repo.syncDevices(
      names.map((name, i) => ({
        name,
        host: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        site: `site${i % SITES}`,
        tags: [`tag${i % TAGS}`, i % 2 === 0 ? "access" : "distribution"],
        pollIntervalMs: 300_000,
      })),
      clock.now(),
    );
    // Polling rounds through the poller's write path (aggregates included). Setup only: 500 device polls share a commit (each is still its
    // own nested transaction), so building 50k devices takes minutes, not a quarter of an hour.
    for (let round = 0; round < BUILD_ROUNDS; round++) {
      const cpu0 = process.cpuUsage();
      const started = process.hrtime.bigint();
      for (let from = 0; from < names.length; from += 500) {
        store.tx(() => {
          for (const name of names.slice(from, from + 500)) {
            recordPoll(store, repo, observation(name, clock.now(), round, PORTS));
            clock.advance(Math.floor(300_000 / devices));
          }
        });
      }
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const cpu = process.cpuUsage(cpu0);
      console.log(
        `${devices} devices, poll round ${round + 1}: ${(ms / 1000).toFixed(1)} s, CPU ${((cpu.user + cpu.system) / 1000 / devices).toFixed(3)} ms per device poll (${loadNow()})`,
      );
    }
    store.db.pragma("wal_checkpoint(TRUNCATE)");
  } else {
    clock.set(store.db.prepare("SELECT max(last_ok_at) FROM device_state").pluck().get() as number);
  }
  clock.advance(60_000);
  const down = store.db.prepare("SELECT ports FROM scope_down_count WHERE scope = '*'").pluck().get();
  console.log(
    `cache: ${devices} devices, ${devices * PORTS} ports, ${down} admin-up/oper-down, file ${(statSync(path).size / 1e6).toFixed(0)} MB`,
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
    // Real, over the same store; this bench writes no series, so `links` shows no rates here.
    history: createStoreHistory({ store, clock, fleet, config: configSchema.parse({}) }).history,
    poller: noPoller,
    backups: absent,
    orchestration: absent,
    runReporter: absent,
    alerts: absent,
    alertmanager: absent,
    inventory: absent,
  };
  // The floor: the 100 rows an answer shows, read by primary key (no ordering, no totals, no reply).
  const byKey = store.db.prepare("SELECT * FROM interface_state WHERE device = ? AND if_index = ?");
  return {
    devices,
    names,
    ask: (spec, values) =>
      spec.handler(
        { values, extra: {} },
        {
          user: { id: "U1", name: "bench", roles: [] },
          channel: "bench",
          where: { id: "bench" },
          text: spec.name,
          services,
        },
      ),
    floor: () => {
      for (let k = 0; k < 100; k++) byKey.get(names[(k * 7919) % devices]!, 1 + (k % PORTS));
    },
    close: () => store.close(),
  };
}

const QUERIES: [string, (c: Cache, i: number) => unknown][] = [
  ["floor: 100 port rows by key", (c) => c.floor()],
  ["links down (whole fleet)", (c) => c.ask(linksDownCommand, {})],
  [`links down <tag> (1/${TAGS})`, (c, i) => c.ask(linksDownCommand, { scope: `tag${i % TAGS}` })],
  [`links down <site> (1/${SITES})`, (c, i) => c.ask(linksDownCommand, { scope: `site${i % SITES}` })],
  ["links <device>", (c) => c.ask(linksCommand, { device: c.names[Math.floor(rand() * c.devices)]! })],
];

async function main(): Promise<void> {
  const keep = process.env.FLEET_BENCH_DIR;
  const dir = keep ?? mkdtempSync(join(tmpdir(), "opsbot-bench-cache-"));
  const caches: Cache[] = [];
  try {
    for (const size of SIZES) caches.push(openCache(dir, size));
    if (global.gc) global.gc();
    // p50/p99 per round, per (query, size).
    const p50 = new Map<string, number[]>();
    const p99 = new Map<string, number[]>();
    const loads = [loadNow()];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? caches : [...caches].reverse();
      for (const [label, q] of QUERIES) {
        for (const c of order) {
          const wall = await time(CALLS, (i) => q(c, i));
          const key = `${label}@${c.devices}`;
          p50.set(key, [...(p50.get(key) ?? []), percentile(wall, 50)]);
          p99.set(key, [...(p99.get(key) ?? []), percentile(wall, 99)]);
        }
      }
      loads.push(loadNow());
    }
    const small = caches[0]!;
    const large = caches.at(-1)!;
    const rows: [string, string][] = [];
    for (const [label] of QUERIES) {
      for (const c of caches) {
        const k = `${label}@${c.devices}`;
        rows.push([
          `${label}, ${c.devices}: p50 / p99 ms`,
          `${medianRange(p50.get(k)!)} / ${medianRange(p99.get(k)!)}`,
        ]);
      }
      if (caches.length > 1) {
        const a = p99.get(`${label}@${large.devices}`)!;
        const b = p99.get(`${label}@${small.devices}`)!;
        rows.push([
          `${label}: p99 ${large.devices} / ${small.devices}`,
          medianRange(a.map((x, i) => x / b[i]!)),
        ]);
      }
      const f = p50.get(`floor: 100 port rows by key@${large.devices}`)!;
      const mine = p99.get(`${label}@${large.devices}`)!;
      rows.push([`${label}: p99 / floor p50, ${large.devices}`, medianRange(mine.map((x, i) => x / f[i]!))]);
    }
    printTable(
      `fleet answers, ${ROUNDS} alternating rounds × ${CALLS} calls, median (range) of per-round figures`,
      rows,
    );
    printTable(
      "while measuring",
      loads.map((l, i) => [i === 0 ? "before" : `after round ${i}`, l]),
    );
    const mem = process.memoryUsage();
    console.log(
      `memory: rss ${(mem.rss / 1e6).toFixed(0)} MB, heap used ${(mem.heapUsed / 1e6).toFixed(0)} MB (targets: links down p99 ≤ 15 ms fleet-wide and scoped at 50k devices)`,
    );
  } finally {
    for (const c of caches) c.close();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
