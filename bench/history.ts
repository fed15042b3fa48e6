/**
 * History: what charts and series cost.
 *
 * 1. Chart render time (SVG built in code → PNG with resvg and the bundled fonts) for a 7-day series of
 *    5-minute buckets (4 series × 2,016 points; in/out plus errors/discards panels), p50/p99 against
 *    the 50 ms target and against an empty chart of the same size rendered alternately.
 * 2. Database growth for 1,000 devices × 48 ports per day with downsampling on: a sample of devices
 *    (default 20) is polled every 5 minutes for a simulated day through the series write path (raw
 *    blocks + 5-minute + hourly rollup blocks and pruning, one transaction per device poll) into a
 *    real SQLite file; growth is scaled to 1,000 devices, and the steady state is estimated from the
 *    configured retention. Peer: the same polls written to a second file without series, poll by
 *    poll in turn, in the same run.
 *
 * Run: npm run build && node dist/bench/history.js [sampleDevices]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SERIES_RETENTION_DEFAULTS } from "../src/config/series-retention-schema.js";
import { renderChartPng } from "../src/lib/chart/png.js";
import { ManualClock, parseDuration } from "../src/lib/clock.js";
import { graphSpec } from "../src/management/history/graph-spec.js";
import type { SeriesData } from "../src/management/history/metrics.js";
import { seriesTiers } from "../src/management/history/retention.js";
import { createSeriesStore } from "../src/management/history/series-store.js";
import type { DeviceObservation, InterfaceObservation } from "../src/management/observations.js";
import { recordPoll } from "../src/management/record-poll.js";
import { createStateRepo } from "../src/management/state-repo.js";
import { openStore } from "../src/store/store.js";
import { loadNow, percentile, printTable } from "./stats.js";

const SAMPLE_DEVICES = Number(process.argv[2] ?? 20);
const PORTS = 48;
const POLL_MS = 300_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 5);

function chartBench(): [string, string][] {
  const to = T0 + 7 * DAY;
  const from = to - 7 * DAY;
  const n = 7 * 288;
  const wave = (i: number, phase: number) => 4e8 + 3e8 * Math.sin(i / 40 + phase) + ((i * 7919) % 97) * 1e6;
  const points = (f: (i: number) => number | null) =>
    Array.from({ length: n }, (_, i) => ({
      at: from + i * POLL_MS,
      value: i > 900 && i < 960 ? null : f(i),
    }));
  const data: SeriesData[] = [
    { metric: "in_bps", stepMs: POLL_MS, points: points((i) => wave(i, 0)) },
    { metric: "out_bps", stepMs: POLL_MS, points: points((i) => wave(i, 2) / 2) },
    { metric: "errors_ps", stepMs: POLL_MS, points: points((i) => (i % 50 === 0 ? 3 : 0)) },
    { metric: "discards_ps", stepMs: POLL_MS, points: points((i) => (i % 70 === 0 ? 1 : 0)) },
  ];
  const spec = graphSpec({
    target: { kind: "port", device: "core-sw1", object: "Te1/1/1", alias: "uplink dc1", speedMbps: 10_000 },
    data,
    from,
    to,
    rangeText: "7d",
    timeZone: "Europe/Amsterdam",
  });
  // Peer: the same chart with no data (axes, grid, text, PNG encoding of the same size): what any
  // chart of this size costs here, interleaved with the real one so machine load hits both alike.
  const empty = {
    ...spec,
    panels: spec.panels.map((p) => ({ ...p, series: p.series.map((s) => ({ ...s, points: [] })) })),
  };
  for (let i = 0; i < 5; i++) {
    renderChartPng(spec); // warm-up: font load, JIT
    renderChartPng(empty);
  }
  const times: number[] = [];
  const peer: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 60; i++) {
    let t = performance.now();
    bytes = renderChartPng(spec).length;
    times.push(performance.now() - t);
    t = performance.now();
    renderChartPng(empty);
    peer.push(performance.now() - t);
  }
  const row = (p: number): [string, string] => {
    const v = percentile(times, p);
    const e = percentile(peer, p);
    return [
      `render p${p}`,
      `${v.toFixed(1)} ms (${(v / 50).toFixed(2)} × the 50 ms target; ${(v / e).toFixed(2)} × an empty chart, ${e.toFixed(1)} ms)`,
    ];
  };
  return [
    ["points", `${n * 4} (4 series × ${n})`],
    ["PNG size", `${(bytes / 1024).toFixed(0)} KiB`],
    row(50),
    row(99),
  ];
}

/** A small deterministic hash: the same "random" traffic on every run. */
const noise = (a: number, b: number) => {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b, 0xc2b2ae35);
  h ^= h >>> 13;
  h = Math.imul(h, 0x27d4eb2f);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
};

/**
 * Cumulative counters of one port after `round` polls, shaped like a real access switch: a third of
 * the ports idle (down or unused: counters still), traffic that differs every poll on the others,
 * errors on one port in twelve and only in some polls, discards now and then. Repeated rates are
 * what a real fleet has most of; a bench where every value changes would overstate the size, one
 * where none does would understate it.
 */
function counters(device: number, port: number, round: number) {
  let octets = 0;
  let errors = 0;
  let discards = 0;
  const idle = port % 3 === 0;
  for (let r = 1; r <= round; r++) {
    if (idle) break;
    octets += Math.floor(noise(device * 1000 + port, r) * 3e9);
    if (port % 12 === 1 && noise(port, r * 7) < 0.2) errors += Math.floor(noise(r, port) * 40);
    if (noise(device, r * 31 + port) < 0.05) discards += 1 + Math.floor(noise(r, device) * 10);
  }
  return { octets, errors, discards };
}

function observation(device: string, index: number, at: number, round: number): DeviceObservation {
  const interfaces: InterfaceObservation[] = [];
  for (let i = 1; i <= PORTS; i++) {
    const c = counters(index, i, round);
    interfaces.push({
      ifIndex: i,
      name: `Gi1/0/${i}`,
      descr: `GigabitEthernet1/0/${i}`,
      alias: "",
      adminStatus: "up",
      operStatus: i % 3 === 0 ? "down" : "up",
      lastChangeCs: 0,
      speedMbps: 1000,
      inErrors: c.errors,
      outErrors: 0,
      inDiscards: c.discards,
      outDiscards: 0,
      inOctets: BigInt(c.octets),
      outOctets: BigInt(Math.floor(c.octets / 3)),
      counterBits: 64,
    });
  }
  return {
    device,
    at,
    system: {
      descr: "Cisco IOS",
      objectId: "1.3.6.1.4.1.9",
      name: device,
      uptimeCs: Math.floor((at - T0) / 10) + 100,
    },
    interfaces,
    errors: [],
    reachable: true,
    durationMs: 700 + Math.floor(noise(index, round) * 300),
  };
}

interface GrowthRun {
  bytes: number;
  msPerPoll: number;
  /** Bytes of block data per tier (step in seconds, 0 = raw). */
  tierBytes: Map<number, number>;
  values: number;
}

/** A fresh SQLite file with the fleet cache, writing polls with or without the series writer. */
function rig(withSeries: boolean, names: string[]) {
  const dir = mkdtempSync(join(tmpdir(), "opsbot-bench-history-"));
  const store = openStore(join(dir, "opsbot.db"));
  const clock = new ManualClock(T0);
  const repo = createStateRepo(store);
  repo.syncDevices(
    names.map((name) => ({ name, host: "127.0.0.1", tags: [], pollIntervalMs: POLL_MS })),
    T0,
  );
  const series = withSeries
    ? createSeriesStore({ store, clock, tiers: seriesTiers(SERIES_RETENTION_DEFAULTS) })
    : undefined;
  const size = () => {
    store.db.pragma("wal_checkpoint(TRUNCATE)");
    return (
      Number(store.db.pragma("page_count", { simple: true })) *
      Number(store.db.pragma("page_size", { simple: true }))
    );
  };
  let spent = 0;
  let polls = 0;
  return {
    clock,
    size,
    seed: (o: DeviceObservation) => recordPoll(store, repo, o, series),
    poll(o: DeviceObservation) {
      const t = performance.now();
      recordPoll(store, repo, o, series);
      spent += performance.now() - t;
      polls++;
    },
    finish(): GrowthRun & { bytesAfter: number } {
      const bytesAfter = size();
      const tierBytes = new Map<number, number>(
        (
          store.db
            .prepare("SELECT step_s, sum(length(data)) AS b FROM series_block GROUP BY step_s")
            .all() as {
            step_s: number;
            b: number;
          }[]
        ).map((r) => [r.step_s, r.b]),
      );
      store.close();
      rmSync(dir, { recursive: true, force: true });
      return { bytes: 0, bytesAfter, msPerPoll: spent / polls, tierBytes, values: polls * (PORTS * 4 + 2) };
    },
  };
}

/**
 * One simulated day into two fresh SQLite files, cache only and cache + series, poll by poll in
 * turn so machine load hits both alike. The observations are built before the clock starts: the
 * time is recordPoll's alone.
 */
function growthBench(
  obs: DeviceObservation[][],
  names: string[],
): { plain: GrowthRun; withSeries: GrowthRun } {
  const plain = rig(false, names);
  const series = rig(true, names);
  // The first poll seeds the cache (no rates yet): not part of the day measured.
  for (const o of obs[0]!) {
    plain.seed(o);
    series.seed(o);
  }
  const before = [plain.size(), series.size()];
  for (let round = 1; round < obs.length; round++) {
    plain.clock.set(T0 + round * POLL_MS);
    series.clock.set(T0 + round * POLL_MS);
    for (const o of obs[round]!) {
      plain.poll(o);
      series.poll(o);
    }
  }
  const a = plain.finish();
  const b = series.finish();
  return {
    plain: { ...a, bytes: a.bytesAfter - before[0]! },
    withSeries: { ...b, bytes: b.bytesAfter - before[1]! },
  };
}

printTable(`Chart render: 7 days of 5-minute buckets, 800 px wide (${loadNow()})`, chartBench());

const names = Array.from({ length: SAMPLE_DEVICES }, (_, i) => `sw${i}`);
const obs = Array.from({ length: 289 }, (_, round) =>
  names.map((name, i) => observation(name, i, T0 + round * POLL_MS, round)),
);
const { plain, withSeries } = growthBench(obs, names);
const scale = 1000 / SAMPLE_DEVICES;
const perDay = withSeries.bytes - plain.bytes;
const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
const mib = (b: number) => `${(b / 2 ** 20).toFixed(2)} MiB`;
const seriesPerDevice = PORTS * 4 + 2;
// Steady state: each tier's daily data times the days it is kept, with the file's overhead over the
// block bytes (pages, keys, free space) as measured here.
const dataPerDay = [...withSeries.tierBytes.values()].reduce((a, b) => a + b, 0);
const overhead = perDay / dataPerDay;
const keepDays = new Map<number, number>([
  [0, parseDuration(SERIES_RETENTION_DEFAULTS.raw)! / DAY],
  ...SERIES_RETENTION_DEFAULTS.rollups.map((r): [number, number] => [
    parseDuration(r.step)! / 1000,
    parseDuration(r.keep)! / DAY,
  ]),
]);
let steady = 0;
for (const [step, b] of withSeries.tierBytes) steady += b * (keepDays.get(step) ?? 0) * overhead;
const tierText = [...withSeries.tierBytes]
  .sort(([a], [b]) => a - b)
  .map(([step, b]) => `${step === 0 ? "raw" : `${step / 60} min`} ${mib(b * scale)}`)
  .join(", ");
printTable(
  `Series growth: ${SAMPLE_DEVICES} devices × ${PORTS} ports polled every 5 min for a simulated day, scaled ×${scale} to 1,000 devices (${loadNow()})`,
  [
    ["series per device", String(seriesPerDevice)],
    ["values written", `${withSeries.values} (${SAMPLE_DEVICES} devices × 288 polls)`],
    [
      "growth per day, 1,000 devices",
      `${gib(perDay * scale)} (file growth with series − without: ${mib(withSeries.bytes)} − ${mib(plain.bytes)} on ${SAMPLE_DEVICES} devices)`,
    ],
    ["per device per day", `${(perDay / SAMPLE_DEVICES / 1024).toFixed(0)} KiB`],
    [
      "bytes per value",
      `${(perDay / withSeries.values).toFixed(2)} (file), ${(dataPerDay / withSeries.values).toFixed(2)} (block data, all tiers)`,
    ],
    ["block data per day, 1,000 devices", tierText],
    [
      "steady state, 1,000 devices",
      `${gib(steady * scale)} (raw 48 h + 5 min × 30 d + 1 h × 365 d, file overhead ×${overhead.toFixed(2)})`,
    ],
    [
      "write per device poll",
      `${withSeries.msPerPoll.toFixed(2)} ms with series vs ${plain.msPerPoll.toFixed(2)} ms cache only (${(withSeries.msPerPoll / plain.msPerPoll).toFixed(2)} ×)`,
    ],
  ],
);
