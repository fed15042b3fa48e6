/**
 * History: what charts and series cost.
 *
 * 1. Chart render time (SVG built in code → PNG with resvg and the bundled font) for a 7-day series of
 *    5-minute buckets (2,016 points; in/out plus errors/discards panels), p50/p99 against the 50 ms target.
 * 2. Database growth for 1,000 devices × 48 ports per day with downsampling on: a sample of devices is
 *    polled every 5 minutes for a simulated day through the series write path (raw + 5-minute + hourly
 *    rollups and pruning, one transaction per device poll) into a real SQLite file; growth is scaled
 *    to 1,000 devices, and the steady state is estimated from the configured retention.
 *    Peer: the same polls' device-cache write (recordPoll without series) timed in the same run.
 *
 * Run: npm run build && node dist/bench/history.js [sampleDevices]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SERIES_RETENTION_DEFAULTS } from "../src/config/series-retention-schema.js";
import { renderChartPng } from "../src/lib/chart/png.js";
import { ManualClock } from "../src/lib/clock.js";
import { graphSpec } from "../src/management/history/graph-spec.js";
import type { SeriesData } from "../src/management/history/metrics.js";
import { seriesTiers } from "../src/management/history/retention.js";
import { createSeriesStore } from "../src/management/history/series-store.js";
import type { DeviceObservation, InterfaceObservation } from "../src/management/observations.js";
import { recordPoll } from "../src/management/record-poll.js";
import { createStateRepo } from "../src/management/state-repo.js";
import { openStore } from "../src/store/store.js";
import { percentile, printTable } from "./stats.js";

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

function observation(device: string, at: number, round: number): DeviceObservation {
  const interfaces: InterfaceObservation[] = [];
  for (let i = 1; i <= PORTS; i++) {
    const octets = BigInt(round) * BigInt(1_000_000 * i);
    interfaces.push({
      ifIndex: i,
      name: `Gi1/0/${i}`,
      descr: `GigabitEthernet1/0/${i}`,
      alias: "",
      adminStatus: "up",
      operStatus: "up",
      lastChangeCs: 0,
      speedMbps: 1000,
      inErrors: round * (i % 3),
      outErrors: 0,
      inDiscards: round,
      outDiscards: 0,
      inOctets: octets,
      outOctets: octets / 2n,
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
    durationMs: 800,
  };
}

function growthBench(withSeries: boolean): { bytes: number; msPerPoll: number; samples: number } {
  const dir = mkdtempSync(join(tmpdir(), "opsbot-bench-history-"));
  try {
    const store = openStore(join(dir, "opsbot.db"));
    const clock = new ManualClock(T0);
    const repo = createStateRepo(store);
    const names = Array.from({ length: SAMPLE_DEVICES }, (_, i) => `sw${i}`);
    repo.syncDevices(
      names.map((name) => ({ name, host: "127.0.0.1", tags: [], pollIntervalMs: POLL_MS })),
      T0,
    );
    const series = createSeriesStore({ store, clock, tiers: seriesTiers(SERIES_RETENTION_DEFAULTS) });
    const size = () =>
      Number(store.db.pragma("page_count", { simple: true })) *
      Number(store.db.pragma("page_size", { simple: true }));
    // The first poll seeds the cache (no rates yet): not part of the day measured.
    for (const name of names)
      recordPoll(store, repo, observation(name, T0, 0), withSeries ? series : undefined);
    store.db.pragma("wal_checkpoint(TRUNCATE)");
    const before = size();
    let spent = 0;
    let polls = 0;
    for (let round = 1; round <= 288; round++) {
      const at = T0 + round * POLL_MS;
      clock.set(at);
      for (const name of names) {
        const t = performance.now();
        recordPoll(store, repo, observation(name, at, round), withSeries ? series : undefined);
        spent += performance.now() - t;
        polls++;
      }
    }
    store.db.pragma("wal_checkpoint(TRUNCATE)");
    const bytes = size() - before;
    const samples = Number(store.db.prepare("SELECT count(*) FROM series_raw").pluck().get());
    store.close();
    return { bytes, msPerPoll: spent / polls, samples };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

printTable("Chart render: 7 days of 5-minute buckets, 800 px wide", chartBench());

const plain = growthBench(false);
const withSeries = growthBench(true);
const scale = 1000 / SAMPLE_DEVICES;
const perDay = withSeries.bytes - plain.bytes;
const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
const perDevicePerDay = perDay / SAMPLE_DEVICES;
const seriesPerDevice = PORTS * 4 + 2;
printTable(
  `Series growth: ${SAMPLE_DEVICES} devices × ${PORTS} ports polled every 5 min for a day, scaled to 1,000`,
  [
    ["series per device", String(seriesPerDevice)],
    ["raw rows written", `${withSeries.samples} (${SAMPLE_DEVICES} devices)`],
    [
      "growth per day, 1,000 devices",
      `${gib(perDay * scale)} (series on) vs ${gib(plain.bytes * scale)} cache only`,
    ],
    ["per device per day", `${(perDevicePerDay / 1024 / 1024).toFixed(2)} MiB`],
    [
      "write per device poll",
      `${withSeries.msPerPoll.toFixed(2)} ms with series vs ${plain.msPerPoll.toFixed(2)} ms cache only (${(withSeries.msPerPoll / plain.msPerPoll).toFixed(2)} ×)`,
    ],
  ],
);
