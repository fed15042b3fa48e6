import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, get } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ifMibConfig } from "./if-mib-module.js";
import { peakRssKb, procCpuMs } from "./proc.js";

/**
 * snmp_exporter (Debian's prometheus-snmp-exporter) as the peer of the poller: a fresh process per
 * measurement (its peak RSS is a high-water mark since start), its `if_mib` module scraped over
 * loopback HTTP the way Prometheus would, `inFlight` scrapes at a time.
 */
export const EXPORTER = "prometheus-snmp-exporter";

export function exporterInstalled(): boolean {
  return spawnSync("which", [EXPORTER], { stdio: "ignore" }).status === 0;
}

/** One measurement: `warmup` then `polls` of the devices at `ports`, `inFlight` at a time. */
export interface PollJob {
  ports: number[];
  community: string;
  inFlight: number;
  polls: number;
  warmup: number;
  /** Interfaces every poll must return (the fixture's). */
  interfaces: number;
}

export interface PeerResult {
  cpuMs: number;
  wallMs: number;
  peakRssKb: number;
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function scrape(agent: Agent, port: number, target: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: "127.0.0.1", port, path: `/snmp?module=if_mib&target=127.0.0.1:${target}`, agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`scrape: HTTP ${res.statusCode}: ${body}`)),
      );
    }).on("error", reject);
  });
}

async function waitUp(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${EXPORTER} exited with ${child.exitCode}`);
    const up = await new Promise<boolean>((resolve) =>
      get({ host: "127.0.0.1", port, path: "/" }, (res) => {
        res.resume();
        resolve(true);
      }).on("error", () => resolve(false)),
    );
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${EXPORTER} did not start listening on ${port}`);
}

/**
 * Starts an exporter, scrapes `warmup` then `polls` targets `inFlight` at a time (each scrape must
 * return ifHCInOctets for every one of `interfaces` ports), stops it.
 */
export async function measureExporter(options: PollJob): Promise<PeerResult> {
  const dir = mkdtempSync(join(tmpdir(), "opsbot-bench-exporter-"));
  const config = join(dir, "snmp.yml");
  writeFileSync(config, ifMibConfig(options.community));
  const port = await freeTcpPort();
  const child = spawn(EXPORTER, [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${port}`], {
    stdio: "ignore",
  });
  const agent = new Agent({ keepAlive: true, maxSockets: options.inFlight });
  try {
    await waitUp(port, child);
    const many = async (count: number) => {
      let next = 0;
      const lane = async () => {
        while (next < count) {
          const body = await scrape(agent, port, options.ports[next++ % options.ports.length]!);
          const rows = body.split("\n").filter((l) => l.startsWith("ifHCInOctets{")).length;
          if (rows !== options.interfaces) throw new Error(`scrape returned ${rows} ifHCInOctets rows`);
        }
      };
      await Promise.all(Array.from({ length: Math.min(options.inFlight, count) }, lane));
    };
    await many(options.warmup);
    const cpu0 = procCpuMs(child.pid!);
    const wall0 = performance.now();
    await many(options.polls);
    const wallMs = performance.now() - wall0;
    return { cpuMs: procCpuMs(child.pid!) - cpu0, wallMs, peakRssKb: peakRssKb(child.pid!) };
  } finally {
    agent.destroy();
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}
