/**
 * The Prometheus fleet source at scale: a real Prometheus loaded with N devices × 48 ports of
 * snmp_exporter-shaped series (synthesized as OpenMetrics and turned into TSDB blocks by
 * `promtool tsdb create-blocks-from openmetrics`), then one full source cycle into a real SQLite file:
 * wall, opsbot CPU, peak RSS; then `links down` latency over the recorded fleet.
 *
 * Targets at 50,000 devices: a cycle under 60 s of opsbot CPU, RSS under 400 MB. Smaller runs print
 * the per-device cost so the 50k figure can be read off linearly (printed as an extrapolation).
 * Run: npm run build && node dist/bench/prometheus-source.js [devices=2000]
 */
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../src/config/load.js";
import { silentLogger } from "../src/lib/logger.js";
import { createCore } from "../src/main.js";
import { percentile, printTable } from "./stats.js";

const DEVICES = Number(process.argv[2] ?? 2000);
const PORTS = 48;
const dir = mkdtempSync(join(tmpdir(), "opsbot-bench-prom-"));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function writeOpenMetrics(path: string, at: number): Promise<void> {
  const out = createWriteStream(path);
  const w = (line: string) =>
    out.write(line) ? Promise.resolve() : new Promise<void>((r) => out.once("drain", () => r()));
  const families: Array<[string, string, (d: number, i: number) => [string, number]]> = [
    ["ifOperStatus", "gauge", (d, i) => ["", (d + i) % 37 === 0 ? 2 : 1]],
    ["ifAdminStatus", "gauge", () => ["", 1]],
    ["ifHighSpeed", "gauge", () => ["", 1000]],
    ["ifLastChange", "gauge", () => ["", 1000]],
    ["ifInErrors", "counter", (_d, i) => ["", i]],
    ["ifOutErrors", "counter", () => ["", 0]],
    ["ifInDiscards", "counter", () => ["", 0]],
    ["ifOutDiscards", "counter", () => ["", 0]],
    ["ifHCInOctets", "counter", (d, i) => ["", d * 1000 + i]],
    ["ifHCOutOctets", "counter", (d, i) => ["", d * 2000 + i]],
    ["ifName", "gauge", (_d, i) => [`,ifName="Gi1/0/${i}"`, 1]],
    ["ifDescr", "gauge", (_d, i) => [`,ifDescr="GigabitEthernet1/0/${i}"`, 1]],
    ["ifAlias", "gauge", (_d, i) => [`,ifAlias="${i % 4 === 0 ? `uplink ${i}` : ""}"`, 1]],
  ];
  const ts = (at / 1000).toFixed(3);
  for (const [name, type, value] of families) {
    await w(`# TYPE ${name} ${type === "counter" ? "gauge" : type}\n`);
    for (let d = 0; d < DEVICES; d++) {
      for (let i = 1; i <= PORTS; i++) {
        const [extra, v] = value(d, i);
        await w(`${name}{instance="sw${d}",job="snmp",ifIndex="${i}"${extra}} ${v} ${ts}\n`);
      }
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
    await w(`# TYPE ${name} gauge\n`);
    for (let d = 0; d < DEVICES; d++) {
      const [extra, v] = value(d);
      await w(`${name}{instance="sw${d}",job="snmp"${extra}} ${v} ${ts}\n`);
    }
  }
  await w("# EOF\n");
  await new Promise<void>((r) => out.end(() => r()));
}

async function main(): Promise<void> {
  const at = Date.now() - 60_000;
  const om = join(dir, "fleet.om");
  let t0 = performance.now();
  await writeOpenMetrics(om, at);
  const data = join(dir, "tsdb");
  const blocks = spawnSync("promtool", ["tsdb", "create-blocks-from", "openmetrics", om, data], {
    encoding: "utf8",
  });
  if (blocks.status !== 0) throw new Error(`promtool failed: ${blocks.stderr}`);
  const buildS = (performance.now() - t0) / 1000;
  const port = await freePort();
  const cfg = join(dir, "prometheus.yml");
  (await import("node:fs")).writeFileSync(cfg, "global: { scrape_interval: 1h }\nscrape_configs: []\n");
  const prom = spawn(
    "prometheus",
    [
      `--config.file=${cfg}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--storage.tsdb.retention.time=30d",
      "--query.max-samples=200000000",
    ],
    { stdio: "ignore" },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    for (;;) {
      const ok = await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const devices = Array.from({ length: DEVICES }, (_, d) => ({
      name: `sw${d}`,
      host: `sw${d}`,
      via: "prometheus",
    }));
    const core = createCore({
      config: parseConfig(
        JSON.stringify({
          sources: { prometheus: { url, interval: "5m", timeout: "10m", matchers: 'job="snmp"' } },
          devices,
        }),
        "bench.yaml",
        {},
      ),
      dbPath: join(dir, "opsbot.db"),
      logger: silentLogger(),
      chat: {
        post: async () => ({ channel: "x", ts: "1" }),
        update: async () => {},
        postEphemeral: async () => {},
        uploadFile: async () => {},
      },
    });
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    const cpu0 = process.cpuUsage();
    t0 = performance.now();
    const result = await core.fleetSources[0]!.cycle();
    const wallS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    clearInterval(sampler);
    if (!result.ok) throw new Error(`cycle failed: ${result.error}`);
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
    const scale = 50_000 / DEVICES;
    printTable(`Prometheus source: ${DEVICES} devices × ${PORTS} ports (${result.series} series)`, [
      ["build (OpenMetrics + promtool blocks)", `${buildS.toFixed(1)} s`],
      ["cycle wall", `${wallS.toFixed(2)} s (recorded ${result.recorded}, ${result.changes} changes)`],
      [
        "cycle opsbot CPU",
        `${cpuS.toFixed(2)} s = ${((cpuS / wallS) * 100).toFixed(0)}% of wall; ${((cpuS / DEVICES) * 1000).toFixed(2)} ms/device`,
      ],
      ["peak RSS", `${(peakRss / 2 ** 20).toFixed(0)} MB`],
      ["links down p50 / p99", `${percentile(lat, 50).toFixed(1)} / ${percentile(lat, 99).toFixed(1)} ms`],
      [
        "50k extrapolation (linear)",
        `CPU ≈ ${(cpuS * scale).toFixed(0)} s = ${((cpuS * scale) / 60).toFixed(2)}× the 60 s target`,
      ],
    ]);
    await core.shutdown();
  } finally {
    prom.kill("SIGTERM");
    await new Promise((r) => prom.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = 1;
});
