/**
 * The Prometheus fleet source at scale: a real Prometheus loaded with N devices × 48 ports of
 * snmp_exporter-shaped series (synthesized as OpenMetrics and turned into TSDB blocks by
 * `promtool tsdb create-blocks-from openmetrics`), then one full source cycle into a real SQLite file
 * per measured size — each in a fresh child process, so its peak RSS is its own: wall, opsbot CPU,
 * peak RSS, then `links down` latency over the recorded fleet, then a second (steady-state) cycle that
 * records every device again with counters and times a minute on (see rewindCache). One data set is built at the largest
 * size; a smaller size configures its first N devices (the batch queries select them by label).
 *
 * Targets at 50,000 devices: a cycle under 60 s of opsbot CPU, RSS under 400 MB. The peer, measured in
 * the same run, is the same source reading the smallest size in ONE batch (the fleet-wide shape the
 * source had before batching): RSS that grows with the batch, not with the fleet, is the point.
 *
 * Run: npm run build && node dist/bench/prometheus-source.js [--sizes 1000,2000] [--batch 100]
 *      [--in-flight 3] [--rounds 1] [--data DIR] [--fleet list|selector|list,selector] [--build-only]
 *      (default ≈ 3 minutes; --sizes 1000,5000,10000 for the larger run)
 * The issue's size: --sizes 50000 --data DIR. Building it takes 12–35 minutes (50 chunks of 1,000
 * devices through promtool, ≈ 1.3 GB each at its peak) and ≈ 4 GB of disk; Prometheus then holds
 * 31.5 M series (several GB of RSS). Build once with --build-only, then measure against DIR.
 * --data DIR keeps the TSDB blocks in DIR, grows them chunk by chunk (an interrupted build resumes)
 * and reuses them while they hold the largest size (the samples must stay within the 7-day lookback).
 * --fleet selector: the child's opsbot.yaml lists no device; `sources.prometheus.discover` (a
 * selector on `up`) finds the first N, as a fleet too large to list would be configured. With two
 * (`list,selector`) the second is measured in the same rounds and reported in rows of its own.
 * --before PATH runs another build's copy of this script (dist/bench/prometheus-source.js of an older
 * commit) as a peer in the same rounds and prints this build ÷ that one per round.
 * --rounds N measures each size N times (fresh child processes, sizes alternating) and reports medians.
 */
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseConfig } from "../src/config/load.js";
import { silentLogger } from "../src/lib/logger.js";
import { createCore } from "../src/main.js";
import { freeTcpPort } from "../test/support/prometheus-stack.js";
import { loadNow, medianRange, percentile, printTable } from "./stats.js";

const PORTS = 48;
const CPU_TARGET_S = 60;
const RSS_TARGET_MB = 400;
const TARGET_DEVICES = 50_000;
const CHUNK_DEVICES = 1000;
/** The largest batch `sources.prometheus.batch_size` accepts: the one-batch peer runs only up to it. */
const PEER_MAX_DEVICES = 5_000;
/** 13 port families × 48 ports + up and 4 system scalars. */
const SERIES_PER_DEVICE = 13 * PORTS + 5;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

interface ChildResult {
  devices: number;
  batch: number;
  wallS: number;
  cpuS: number;
  peakRssMb: number;
  /** Peak RSS before the cycle (start-up, parsing the N-device config): what the cycle adds is the rest. */
  beforeCycleRssMb?: number;
  recorded: number;
  batches: number;
  series: number;
  linksP50: number;
  linksP99: number;
  /** A second cycle over the same fleet, every device recorded again (see steadyCycle). */
  steadyWallS: number;
  steadyCpuS: number;
  steadyRecorded: number;
  load: string;
  /** Prometheus's CPU over the child's life (both cycles; links down does not query it), parent-measured. */
  promCpuS?: number;
}

/** The OpenMetrics text of the synthetic fleet, written in large chunks. */
async function writeOpenMetrics(path: string, from: number, to: number, at: number): Promise<void> {
  const out = createWriteStream(path);
  let buf: string[] = [];
  const flush = async (force = false) => {
    if (!force && buf.length < 20_000) return;
    const ok = out.write(buf.join(""));
    buf = [];
    if (!ok) await new Promise<void>((r) => out.once("drain", () => r()));
  };
  const families: Array<[string, (d: number, i: number) => [string, number]]> = [
    ["ifOperStatus", (d, i) => ["", (d + i) % 37 === 0 ? 2 : 1]],
    ["ifAdminStatus", () => ["", 1]],
    ["ifHighSpeed", () => ["", 1000]],
    ["ifLastChange", () => ["", 1000]],
    ["ifInErrors", (_d, i) => ["", i]],
    ["ifOutErrors", () => ["", 0]],
    ["ifInDiscards", () => ["", 0]],
    ["ifOutDiscards", () => ["", 0]],
    ["ifHCInOctets", (d, i) => ["", d * 1000 + i]],
    ["ifHCOutOctets", (d, i) => ["", d * 2000 + i]],
    ["ifName", (_d, i) => [`,ifName="Gi1/0/${i}"`, 1]],
    ["ifDescr", (_d, i) => [`,ifDescr="GigabitEthernet1/0/${i}"`, 1]],
    ["ifAlias", (_d, i) => [`,ifAlias="${i % 4 === 0 ? `uplink ${i}` : ""}"`, 1]],
  ];
  const ts = (at / 1000).toFixed(3);
  for (const [name, value] of families) {
    buf.push(`# TYPE ${name} gauge\n`);
    for (let d = from; d < to; d++) {
      for (let i = 1; i <= PORTS; i++) {
        const [extra, v] = value(d, i);
        buf.push(`${name}{instance="sw${d}",job="snmp",ifIndex="${i}"${extra}} ${v} ${ts}\n`);
      }
      await flush();
    }
  }
  const scalars: Array<[string, (d: number) => [string, number]]> = [
    ["up", () => ["", 1]],
    ["sysUpTime", () => ["", 360000]],
    ["sysDescr", () => [`,sysDescr="Cisco IOS Software, C3850 Software, Version 16.12.4"`, 1]],
    ["sysName", (d) => [`,sysName="sw${d}"`, 1]],
    ["sysObjectID", () => [`,sysObjectID="1.3.6.1.4.1.9.1.2066"`, 1]],
  ];
  for (const [name, value] of scalars) {
    buf.push(`# TYPE ${name} gauge\n`);
    for (let d = from; d < to; d++) {
      const [extra, v] = value(d);
      buf.push(`${name}{instance="sw${d}",job="snmp"${extra}} ${v} ${ts}\n`);
      await flush();
    }
  }
  buf.push("# EOF\n");
  await flush(true);
  await new Promise<void>((r) => out.end(() => r()));
}

/** Per-figure medians of several rounds of one size (each figure its own median). */
function median(rounds: ChildResult[]): ChildResult {
  const m = (f: (r: ChildResult) => number) => percentile(rounds.map(f), 50);
  return {
    ...rounds[0]!,
    wallS: m((r) => r.wallS),
    cpuS: m((r) => r.cpuS),
    peakRssMb: m((r) => r.peakRssMb),
    beforeCycleRssMb: m((r) => r.beforeCycleRssMb ?? Number.NaN),
    linksP50: m((r) => r.linksP50),
    linksP99: m((r) => r.linksP99),
    steadyWallS: m((r) => r.steadyWallS),
    steadyCpuS: m((r) => r.steadyCpuS),
    promCpuS: m((r) => r.promCpuS ?? Number.NaN),
    load: rounds.at(-1)!.load,
  };
}

/** A process's user + system CPU so far, in seconds (/proc/PID/stat, clock ticks of 1/100 s). */
function procCpuS(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Kernel's high-water mark and current RSS of a process, in MB. */
function procMemMb(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { peak: kb("VmHWM") / 1024, now: kb("VmRSS") / 1024 };
}

/** A PromQL regex matching the decimal numbers 0 … n-1 (as the data set writes them: no leading zeros). */
function numbersBelow(n: number): string {
  const m = String(n - 1);
  const alternatives = m.length > 1 ? [`[0-9]{1,${m.length - 1}}`] : [];
  for (let i = 0; i < m.length; i++) {
    const lo = i === 0 && m.length > 1 ? 1 : 0;
    const d = Number(m[i]);
    const rest = m.length - i - 1;
    if (d > lo) alternatives.push(`${m.slice(0, i)}[${lo}-${d - 1}]${rest > 0 ? `[0-9]{${rest}}` : ""}`);
  }
  alternatives.push(m);
  return alternatives.join("|");
}

/**
 * The opsbot.yaml of a child, as a user writes it: `list` names every device (`via: prometheus`),
 * `selector` names none and discovers the first N devices with a PromQL selector on `up`.
 */
function benchConfig(url: string, devices: number, batch: number, inFlight: number, fleet: Fleet): string {
  const lines = [
    "sources:",
    "  prometheus:",
    `    url: ${url}`,
    "    interval: 5m",
    "    timeout: 10m",
    `    matchers: 'job="snmp"'`,
    `    batch_size: ${batch}`,
    `    batches_in_flight: ${inFlight}`,
  ];
  if (fleet === "selector") {
    lines.push(
      `    discover: 'up{job="snmp",instance=~"sw(${numbersBelow(devices)})"}'`,
      "    tag_labels: [job]",
    );
    return `${lines.join("\n")}\n`;
  }
  lines.push("devices:");
  for (let d = 0; d < devices; d++) lines.push(`  - name: sw${d}`, `    host: sw${d}`, "    via: prometheus");
  return `${lines.join("\n")}\n`;
}

type Fleet = "list" | "selector";

/** What a minute between two scrapes changes in the cache: times, sysUpTime, octet counters (≈ 1 Mbit/s). */
const STEADY_GAP_MS = 60_000;

/**
 * The steady state: every later cycle re-records devices already in the cache, with only counters and
 * times moved on. The data set holds one scrape, so the cache is moved back one scrape interval instead
 * (times, sysUpTime, octets: as if the last cycle had read it a minute earlier) and the same answer is
 * recorded again — through the whole path, with rates and the same port states.
 */
function rewindCache(db: { exec(sql: string): unknown }): void {
  const ms = STEADY_GAP_MS;
  const cs = ms / 10;
  const octets = (col: string) => `CAST(max(0, CAST(${col} AS INTEGER) - ${(1e6 * ms) / 8000}) AS TEXT)`;
  db.exec(`
    UPDATE device_state SET last_polled_at = last_polled_at - ${ms}, last_ok_at = last_ok_at - ${ms},
      system_at = system_at - ${ms}, entity_at = entity_at - ${ms}, uptime_cs = uptime_cs - ${cs};
    UPDATE interface_state SET polled_at = polled_at - ${ms}, sample_uptime_cs = sample_uptime_cs - ${cs},
      in_octets = ${octets("in_octets")}, out_octets = ${octets("out_octets")};`);
}

/** Child: one cycle of N devices against the running Prometheus, measured in this process alone. */
async function child(
  url: string,
  devices: number,
  batch: number,
  inFlight: number,
  fleet: Fleet,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "opsbot-bench-prom-child-"));
  try {
    const core = createCore({
      config: parseConfig(benchConfig(url, devices, batch, inFlight, fleet), "bench.yaml", {}),
      dbPath: join(dir, "opsbot.db"),
      logger: silentLogger(),
      chat: {
        post: async () => ({ channel: "x", ts: "1" }),
        update: async () => {},
        postEphemeral: async () => {},
        uploadFile: async () => {},
      },
    });
    const beforeCycleRssMb = procMemMb(process.pid).peak;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await core.fleetSources[0]!.cycle();
    const wallS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const peakRssMb = procMemMb(process.pid).peak;
    if (!result.ok) throw new Error(`cycle failed: ${result.error}`);
    // Not vacuous: every device's series were read and recorded (not "no series" unreachables).
    const expected = devices * SERIES_PER_DEVICE;
    if (result.series !== expected + devices || result.recorded !== devices) {
      throw new Error(
        `cycle read ${result.series} series and recorded ${result.recorded} devices; expected ${expected + devices} and ${devices}`,
      );
    }
    const lat: number[] = [];
    for (let i = 0; i < 30; i++) {
      const s = performance.now();
      await core.router.handle("links down", {
        user: { id: "u", name: "u", roles: [] },
        channel: "b",
        transport: "console",
      });
      lat.push(performance.now() - s);
    }
    rewindCache(core.store.db);
    const steadyCpu0 = process.cpuUsage();
    const steadyT0 = performance.now();
    const steady = await core.fleetSources[0]!.cycle();
    const steadyWallS = (performance.now() - steadyT0) / 1000;
    const steadyCpu = process.cpuUsage(steadyCpu0);
    if (!steady.ok || steady.recorded !== devices) {
      throw new Error(`steady cycle recorded ${steady.recorded} of ${devices} devices: ${steady.error}`);
    }
    const out: ChildResult = {
      devices,
      batch,
      wallS,
      cpuS: (cpu.user + cpu.system) / 1e6,
      peakRssMb,
      beforeCycleRssMb,
      recorded: result.recorded,
      batches: result.batches,
      series: result.series,
      linksP50: percentile(lat, 50),
      linksP99: percentile(lat, 99),
      steadyWallS,
      steadyCpuS: (steadyCpu.user + steadyCpu.system) / 1e6,
      steadyRecorded: steady.recorded,
      load: loadNow(),
    };
    await core.shutdown();
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runChild(
  url: string,
  devices: number,
  batch: number,
  inFlight: number,
  fleet: Fleet,
  script = fileURLToPath(import.meta.url),
): ChildResult {
  const r = spawnSync(
    process.execPath,
    [script, "--child", url, String(devices), String(batch), String(inFlight), fleet],
    { encoding: "utf8", maxBuffer: 1 << 20 },
  );
  if (r.status !== 0) throw new Error(`bench child (${devices} devices) failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as ChildResult;
}

async function main(): Promise<void> {
  const sizes = arg("sizes", "1000,2000")
    .split(",")
    .map(Number)
    .sort((a, b) => a - b);
  const batch = Number(arg("batch", "100"));
  const inFlight = Number(arg("in-flight", "3"));
  const largest = sizes.at(-1)!;
  const rounds = Math.max(1, Number(arg("rounds", "1")));
  // The first fleet shape is the measured one (peer, --before, extrapolation); others get rows of their own.
  const fleets = arg("fleet", "list")
    .split(",")
    .map((f): Fleet => (f === "selector" ? "selector" : "list"));
  const fleet = fleets[0]!;
  const otherFleets = fleets.slice(1);
  const dir = mkdtempSync(join(tmpdir(), "opsbot-bench-prom-"));
  const kept = arg("data", "");
  let prom: ReturnType<typeof spawn> | undefined;
  try {
    const at = Date.now() - 60_000;
    const om = join(dir, "fleet.om");
    let t0 = performance.now();
    const data = kept !== "" ? join(kept, "tsdb") : join(dir, "tsdb");
    const marker = kept !== "" ? join(kept, "devices") : "";
    const built = marker !== "" && existsSync(marker) ? Number(readFileSync(marker, "utf8")) : 0;
    // A kept data set grows chunk by chunk (the marker counts the devices written): an interrupted
    // build resumes where it stopped, and a larger size adds only the devices it lacks.
    if (built === 0) rmSync(data, { recursive: true, force: true });
    // In chunks of devices: promtool holds a chunk's series in memory (≈2 KB each), not the fleet's.
    // Each chunk's samples carry their own timestamp (a second apart), so the chunks' blocks do not
    // overlap: overlapping blocks make Prometheus merge them at query time and compact them
    // vertically after start-up (CPU and memory taken from the measured cycle).
    let promtoolPeakMb = 0;
    for (let from = built; from < largest; from += CHUNK_DEVICES) {
      const chunkAt = at + (from / CHUNK_DEVICES) * 1000;
      await writeOpenMetrics(om, from, Math.min(largest, from + CHUNK_DEVICES), chunkAt);
      // GNU time reports promtool's peak RSS when it is installed (Debian package "time").
      const args = ["tsdb", "create-blocks-from", "openmetrics", om, data];
      const timed = existsSync("/usr/bin/time");
      const blocks = timed
        ? spawnSync("/usr/bin/time", ["-f", "%M", "promtool", ...args], { encoding: "utf8" })
        : spawnSync("promtool", args, { encoding: "utf8" });
      if (blocks.status !== 0) throw new Error(`promtool failed: ${blocks.stderr}`);
      if (timed) {
        const kb = Number(blocks.stderr.trim().split("\n").at(-1));
        promtoolPeakMb = Math.max(promtoolPeakMb, kb / 1024);
      }
      rmSync(om);
      if (marker !== "") writeFileSync(marker, String(Math.min(largest, from + CHUNK_DEVICES)));
    }
    if (process.argv.includes("--build-only")) return;
    const buildS = (performance.now() - t0) / 1000;
    const port = await freeTcpPort();
    const cfg = join(dir, "prometheus.yml");
    writeFileSync(cfg, "global: { scrape_interval: 1h }\nscrape_configs: []\n");
    prom = spawn(
      "prometheus",
      [
        `--config.file=${cfg}`,
        `--storage.tsdb.path=${data}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--storage.tsdb.retention.time=30d",
        "--query.max-samples=200000000",
        // The samples are as old as the build (a kept data set is reused for days): keep them in reach.
        "--query.lookback-delta=7d",
      ],
      { stdio: "ignore" },
    );
    const url = `http://127.0.0.1:${port}`;
    t0 = performance.now();
    for (;;) {
      const ok = await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (prom.exitCode !== null) throw new Error("Prometheus exited while loading the blocks");
      await new Promise((r) => setTimeout(r, 200));
    }
    const readyS = (performance.now() - t0) / 1000;
    const seriesTotal = largest * SERIES_PER_DEVICE;
    const rows: [string, string][] = [
      ["data set", `${largest} devices × ${PORTS} ports = ${seriesTotal.toLocaleString("en")} series`],
      [
        "build (OpenMetrics + promtool blocks)",
        `${built >= largest ? "reused" : `${buildS.toFixed(1)} s`}; Prometheus ready in ${readyS.toFixed(1)} s`,
      ],
      [
        "settings",
        `batch_size ${batch}, batches_in_flight ${inFlight}; fleet from ${fleet === "list" ? "the configured device list" : "a discover selector on up"}${otherFleets.includes("selector") ? " (and, rows marked (selector), from a discover selector on up)" : ""}`,
      ],
    ];
    // Rounds alternate sizes (and this build with --before's) so load drifts hit every figure alike.
    const before = arg("before", "");
    const perSize = new Map<number, ChildResult[]>(sizes.map((n) => [n, []]));
    const beforePerSize = new Map<number, ChildResult[]>(sizes.map((n) => [n, []]));
    const otherPerSize = new Map<string, ChildResult[]>(
      otherFleets.flatMap((f) => sizes.map((n) => [`${f} ${n}`, []] as [string, ChildResult[]])),
    );
    const promPid = prom.pid!;
    const withPromCpu = (run: () => ChildResult): ChildResult => {
      const cpu0 = procCpuS(promPid);
      const r = run();
      return { ...r, promCpuS: procCpuS(promPid) - cpu0 };
    };
    for (let round = 0; round < rounds; round++) {
      for (const n of sizes) {
        perSize.get(n)!.push(withPromCpu(() => runChild(url, n, batch, inFlight, fleet)));
        if (before !== "")
          beforePerSize.get(n)!.push(withPromCpu(() => runChild(url, n, batch, inFlight, fleet, before)));
        for (const f of otherFleets)
          otherPerSize.get(`${f} ${n}`)!.push(withPromCpu(() => runChild(url, n, batch, inFlight, f)));
      }
    }
    const results = sizes.map((n) => median(perSize.get(n)!));
    // The peer: the smallest size read in one batch, as the source did before batching (not past
    // PEER_MAX_DEVICES: one batch of 50,000 devices is an answer of gigabytes).
    const peer = sizes[0]! <= PEER_MAX_DEVICES ? runChild(url, sizes[0]!, sizes[0]!, 1, fleet) : undefined;
    const promMem = procMemMb(prom.pid!);
    const measured = [
      ...results.map((r) => ["", r] as const),
      ...otherFleets.flatMap((f) =>
        sizes.map((n) => [` (${f})`, median(otherPerSize.get(`${f} ${n}`)!)] as const),
      ),
    ];
    for (const [label, r] of measured) {
      rows.push(
        [
          `${r.devices} devices${label}: cycle`,
          `${r.series.toLocaleString("en")} series${rounds > 1 ? ` (median of ${rounds} rounds)` : ""}: wall ${r.wallS.toFixed(2)} s, CPU ${r.cpuS.toFixed(2)} s = ${((r.cpuS / r.devices) * 1000).toFixed(2)} ms/device, peak RSS ${r.peakRssMb.toFixed(0)} MB (${(r.beforeCycleRssMb ?? Number.NaN).toFixed(0)} MB before the cycle: start-up and the config) (${r.batches} batches, ${r.recorded} recorded; ${r.load})`,
        ],
        [
          `${r.devices} devices${label}: steady cycle (2nd)`,
          `wall ${r.steadyWallS.toFixed(2)} s, CPU ${r.steadyCpuS.toFixed(2)} s = ${((r.steadyCpuS / r.devices) * 1000).toFixed(2)} ms/device (every device recorded again, counters and times a minute on)`,
        ],
        [
          `${r.devices} devices${label}: links down p50 / p99`,
          `${r.linksP50.toFixed(1)} / ${r.linksP99.toFixed(1)} ms`,
        ],
        [
          `${r.devices} devices${label}: Prometheus CPU`,
          `${((r.promCpuS ?? Number.NaN) / 2).toFixed(2)} s per cycle (both cycles ÷ 2) = ${(((r.promCpuS ?? Number.NaN) / 2 / r.devices) * 1000).toFixed(2)} ms/device`,
        ],
      );
    }
    if (before !== "") {
      for (const n of sizes) {
        const now = perSize.get(n)!;
        const was = beforePerSize.get(n)!;
        const ratio = (f: (r: ChildResult) => number) =>
          medianRange(
            now.map((r, i) => f(r) / f(was[i]!)),
            2,
          );
        rows.push([
          `${n} devices: this build ÷ --before (per round)`,
          `CPU ${ratio((r) => r.cpuS)}×, steady CPU ${ratio((r) => r.steadyCpuS)}×, wall ${ratio((r) => r.wallS)}×, peak RSS ${ratio((r) => r.peakRssMb)}×, links down p50 ${ratio((r) => r.linksP50)}×, Prometheus CPU ${ratio((r) => r.promCpuS ?? Number.NaN)}× (before: CPU ${medianRange(
            was.map((r) => r.cpuS),
            2,
          )} s, steady ${medianRange(
            was.map((r) => r.steadyCpuS),
            2,
          )} s, RSS ${medianRange(
            was.map((r) => r.peakRssMb),
            0,
          )} MB)`,
        ]);
      }
    }
    const first = results[0]!;
    const last = results.at(-1)!;
    rows.push(
      peer
        ? [
            `peer: ${peer.devices} devices in ONE batch`,
            `CPU ${peer.cpuS.toFixed(2)} s, peak RSS ${peer.peakRssMb.toFixed(0)} MB; batched RSS = ${(first.peakRssMb / peer.peakRssMb).toFixed(2)}× the one-batch peer`,
          ]
        : ["peer: one batch", `not run (smallest size over ${PEER_MAX_DEVICES} devices)`],
      [
        "RSS vs size",
        `${first.devices} → ${last.devices} devices (${(last.devices / first.devices).toFixed(0)}×): RSS ${(last.peakRssMb / first.peakRssMb).toFixed(2)}×, CPU/device ${(last.cpuS / last.devices / (first.cpuS / first.devices)).toFixed(2)}×`,
      ],
      [
        "Prometheus RSS (this data set)",
        `peak ${promMem.peak.toFixed(0)} MB, now ${promMem.now.toFixed(0)} MB = ${((promMem.peak / seriesTotal) * 1024).toFixed(2)} KB/series`,
      ],
    );
    const cpu50k = (last.cpuS / last.devices) * TARGET_DEVICES;
    // RSS = a part bounded by the batches in flight + a small per-device part (device list, maps,
    // SQLite cache): the slope between the smallest and the largest size, extended to 50k.
    const slopeMb =
      last.devices > first.devices ? (last.peakRssMb - first.peakRssMb) / (last.devices - first.devices) : 0;
    const rss50k = last.peakRssMb + Math.max(0, slopeMb) * (TARGET_DEVICES - last.devices);
    const promAt50k = (promMem.peak / seriesTotal) * TARGET_DEVICES * SERIES_PER_DEVICE;
    rows.push(
      [
        "vs targets at 50k (linear from the sizes measured)",
        `CPU ≈ ${cpu50k.toFixed(0)} s = ${(cpu50k / CPU_TARGET_S).toFixed(2)}× the ${CPU_TARGET_S} s target; RSS ${last.peakRssMb.toFixed(0)} MB at ${last.devices} = ${(last.peakRssMb / RSS_TARGET_MB).toFixed(2)}× the ${RSS_TARGET_MB} MB target, ${(slopeMb * 1024).toFixed(1)} KB/device more → ≈ ${rss50k.toFixed(0)} MB = ${(rss50k / RSS_TARGET_MB).toFixed(2)}× at 50k`,
      ],
      [
        "Prometheus at 50k (same KB/series, blocks only)",
        `≈ ${(promAt50k / 1024).toFixed(1)} GB RSS for ${(TARGET_DEVICES * SERIES_PER_DEVICE).toLocaleString("en")} series; a scraping Prometheus also holds them in its head`,
      ],
    );
    printTable(`Prometheus source at scale (${loadNow()})`, rows);
  } finally {
    if (prom && prom.exitCode === null) {
      prom.kill("SIGTERM");
      await new Promise((r) => prom!.once("exit", r));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const run =
  process.argv[2] === "--child"
    ? child(
        process.argv[3]!,
        Number(process.argv[4]),
        Number(process.argv[5]),
        Number(process.argv[6]),
        process.argv[7] === "selector" ? "selector" : "list",
      )
    : main();
run.catch((err: unknown) => {
  // A ConfigError's message only counts the problems; its details say what and where.
  const details = (err as { details?: unknown }).details;
  const listed = Array.isArray(details) && details.length > 0 ? `\n  ${details.join("\n  ")}` : "";
  process.stderr.write(`${(err as Error).stack ?? String(err)}${listed}\n`);
  process.exitCode = 1;
});
