/**
 * SNMP poll cost: poller CPU per poll of a 48-port switch profile (system + ifTable + ifXTable +
 * entity), devices polled per second with several agent processes, and the same fleet polled the
 * shell-script way (snmpbulkwalk once per device and table).
 *
 *   npm run build && node dist/bench/snmp-poll.js [--agents 3] [--devices 30] [--polls 300] [--concurrency 16]
 *     [--rounds 5] [--in-flight 100,200] [--waves 3] [--warmup-waves 2] [--only exporter]
 *     [--baseline /path/to/another/build]
 *
 * `--only exporter` runs section 4 alone (the snmp_exporter comparison). Each side there polls
 * `--warmup-waves` waves of `in-flight` devices unmeasured, then `--waves` measured waves: a poller
 * runs for days, so the steady state is what a poll costs (one fresh wave would mostly measure V8's
 * JIT warming up and the heap growing; the Go exporter has neither). Both sides get the same waves.
 * `--baseline DIR` adds another build of opsbot (DIR/dist/bench/support/poll-worker.js, e.g. a copy of
 * main) to every round of section 4, so a change is measured against its baseline and the exporter
 * in the same run; the order of the three rotates from round to round.
 *
 * Agents: bench/support/replay-agent.ts in child processes (one per process, 127.0.0.1) serving
 * test/fixtures/snmp/switch48.snmprec — the fixture the integration tests serve with snmpsimd.
 * snmpsimd itself is ~45 ms per GetBulk and would only measure Python.
 * Every number is printed; nothing is asserted (targets: ≤ 2 ms poller CPU per poll; vs snmp_exporter's
 * if_mib, section 4: CPU per poll ≤ 0.07×, peak RSS at 200 in flight ≤ 1.5×).
 */
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DeviceConfig, deviceSchema } from "../src/config/schema.js";
import { systemClock } from "../src/lib/clock.js";
import { silentLogger } from "../src/lib/logger.js";
import { createSnmpCollector } from "../src/management/collectors/snmp/index.js";
import { loadNow, medianRange, printTable } from "./stats.js";
import { procCpuMs } from "./support/proc.js";
import {
  EXPORTER,
  exporterInstalled,
  measureExporter,
  type PeerResult,
} from "./support/snmp-exporter-peer.js";

const COMMUNITY = "switch48";
const FIXTURE = fileURLToPath(new URL("../../test/fixtures/snmp/switch48.snmprec", import.meta.url));
const PROFILE = ["system", "interfaces", "entity"] as const;
const BASELINE_WORKER = "dist/bench/support/poll-worker.js";
const TABLES = ["1.3.6.1.2.1.1", "1.3.6.1.2.1.2.2", "1.3.6.1.2.1.31.1.1", "1.3.6.1.2.1.47.1.1.1"];

interface Options {
  agents: number;
  devices: number;
  polls: number;
  concurrency: number;
  /** Alternating rounds against snmp_exporter, and the polls in flight measured in each. */
  rounds: number;
  inFlight: number[];
  /** Section 4: measured and unmeasured waves of `inFlight` polls, the same for both sides. */
  waves: number;
  warmupWaves: number;
  /** Section 4 alone. */
  exporterOnly: boolean;
  /** Section 4: another build's root, measured alongside (see the header). */
  baseline: string | undefined;
}

function parseOptions(argv: string[]): Options {
  const get = (name: string, fallback: number): number => {
    const i = argv.indexOf(`--${name}`);
    const value = i >= 0 ? Number(argv[i + 1]) : fallback;
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} needs a positive integer`);
    return value;
  };
  return {
    agents: get("agents", 3),
    devices: get("devices", 30),
    polls: get("polls", 300),
    concurrency: get("concurrency", 16),
    rounds: get("rounds", 5),
    inFlight: (argv.includes("--in-flight") ? argv[argv.indexOf("--in-flight") + 1]! : "100,200")
      .split(",")
      .map(Number),
    waves: get("waves", 3),
    warmupWaves: get("warmup-waves", 2),
    exporterOnly: onlyFlag(argv) === "exporter",
    baseline: baselineFlag(argv),
  };
}

function baselineFlag(argv: string[]): string | undefined {
  const i = argv.indexOf("--baseline");
  if (i < 0) return undefined;
  const root = argv[i + 1];
  if (!root || !existsSync(join(root, BASELINE_WORKER)))
    throw new Error(`--baseline needs a built opsbot (no ${join(root ?? "", BASELINE_WORKER)})`);
  return root;
}

function onlyFlag(argv: string[]): string | undefined {
  const i = argv.indexOf("--only");
  if (i < 0) return undefined;
  const value = argv[i + 1];
  if (value !== "exporter") throw new Error(`--only takes "exporter", got ${JSON.stringify(value ?? "")}`);
  return value;
}

interface AgentProcess {
  child: ChildProcess;
  port: number;
  ports: number[];
}

/** Starts replay agents (`count` UDP ports) serving the 48-port switch fixture in one node process. */
function startAgentProcess(count = 1): Promise<AgentProcess> {
  const script = fileURLToPath(new URL("./support/replay-agent.js", import.meta.url));
  const child = spawn(process.execPath, [script, FIXTURE, COMMUNITY, String(count)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split("\n")[0];
      if (buffer.includes("\n") && line)
        resolve({ child, ...(JSON.parse(line) as { port: number; ports: number[] }) });
    });
    child.once("exit", (code) => reject(new Error(`agent process exited with ${code}`)));
  });
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

async function runPool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

function fmt(n: number, digits = 2): string {
  return n.toFixed(digits);
}

function onPath(binary: string): boolean {
  return spawnSync("which", [binary], { stdio: "ignore" }).status === 0;
}

type Poll = (device: DeviceConfig) => Promise<void>;

/** Poller CPU and wall time per poll, one poll at a time: nothing hides in parallelism. */
async function measureSequential(devices: DeviceConfig[], polls: number, poll: Poll) {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < polls; i++) await poll(devices[i % devices.length]!);
  return { cpuMs: cpuMs(process.cpuUsage(cpu0)) / polls, wallMs: (performance.now() - wall0) / polls };
}

/** Devices per second with `concurrency` polls in flight; poller and agent CPU meanwhile. */
async function measureThroughput(
  devices: DeviceConfig[],
  polls: number,
  concurrency: number,
  agents: AgentProcess[],
  poll: Poll,
) {
  const batch = Array.from({ length: polls }, (_, i) => devices[i % devices.length]!);
  const agentCpu0 = agents.map((a) => procCpuMs(a.child.pid!));
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  await runPool(batch, concurrency, poll);
  const wallMs = performance.now() - wall0;
  const agentCpu = agents.map((a, i) => procCpuMs(a.child.pid!) - agentCpu0[i]!);
  return { polls, wallMs, pollerCpuMs: cpuMs(process.cpuUsage(cpu0)), agentCpu };
}

/** The shell-script way: one snmpbulkwalk process per device and table, one after another. */
function measureShellWay(devices: DeviceConfig[]) {
  const cpu0 = procCpuMs("self", "children");
  const wall0 = performance.now();
  let walks = 0;
  for (const device of devices) {
    for (const table of TABLES) {
      const target = `127.0.0.1:${device.snmp!.port}`;
      const result = spawnSync(
        "snmpbulkwalk",
        ["-v2c", "-c", COMMUNITY, "-Cr25", "-t", "5", "-r", "1", target, table],
        {
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      if (result.status !== 0)
        throw new Error(`snmpbulkwalk failed: ${result.stderr?.toString() ?? result.error}`);
      walks++;
    }
  }
  return { walks, wallMs: performance.now() - wall0, cpuMs: procCpuMs("self", "children") - cpu0 };
}

interface WorkerResult {
  cpuMs: number;
  wallMs: number;
  peakRssKb: number;
}

/** Section 4's results per in-flight count, round by round. */
interface Measured {
  cpu: number[];
  rss: number[];
  ours: WorkerResult[];
  theirs: PeerResult[];
  base: WorkerResult[];
}

/**
 * The poller in a process of its own (bench/support/poll-worker.ts), measured like the peer; from
 * another build when `root` is given.
 */
function measurePoller(
  job: {
    ports: number[];
    inFlight: number;
    polls: number;
    warmup: number;
  },
  root?: string,
): Promise<WorkerResult> {
  const script = root
    ? join(root, BASELINE_WORKER)
    : fileURLToPath(new URL("./support/poll-worker.js", import.meta.url));
  const input = JSON.stringify({ ...job, community: COMMUNITY, interfaces: 53 });
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [script, input], (error, stdout, stderr) =>
      error ? reject(new Error(`poll worker: ${stderr || error.message}`)) : resolve(JSON.parse(stdout)),
    ),
  );
}

/**
 * 4. The poller vs snmp_exporter's if_mib module over the same agents (one per device, 200 of them
 * in 4 replay processes), `inFlight` polls/scrapes at a time: CPU per poll and peak RSS, each a fresh
 * process; rounds alternate which goes first. opsbot polls system + interfaces (16 ifTable/ifXTable
 * columns); if_mib walks both tables whole plus sysUpTime — each tool's way of reading a switch's ports.
 */
async function versusExporter(options: Options): Promise<void> {
  const title = "4. poller vs snmp_exporter (if_mib) on the same replay agents";
  if (!exporterInstalled()) {
    printTable(title, [[EXPORTER, "not installed (apt-get install prometheus-snmp-exporter): skipped"]]);
    return;
  }
  const fleet = await Promise.all(Array.from({ length: 4 }, () => startAgentProcess(50)));
  const ports = fleet.flatMap((a) => a.ports);
  const ratios = new Map<number, Measured>();
  const loads = [loadNow()];
  try {
    for (let round = 0; round < options.rounds; round++) {
      for (const inFlight of options.inFlight) {
        const job = {
          ports,
          inFlight,
          polls: inFlight * options.waves,
          warmup: inFlight * options.warmupWaves,
        };
        const sides: Array<() => Promise<void>> = [];
        let ours: WorkerResult | undefined;
        let theirs: PeerResult | undefined;
        let base: WorkerResult | undefined;
        sides.push(async () => {
          ours = await measurePoller(job);
        });
        sides.push(async () => {
          theirs = await measureExporter({ ...job, community: COMMUNITY, interfaces: 53 });
        });
        if (options.baseline) {
          const root = options.baseline;
          sides.push(async () => {
            base = await measurePoller(job, root);
          });
        }
        // Rotate who goes first: each side sees each position across rounds.
        for (let k = 0; k < sides.length; k++) await sides[(round + k) % sides.length]!();
        const r = ratios.get(inFlight) ?? { cpu: [], rss: [], ours: [], theirs: [], base: [] };
        r.cpu.push(ours!.cpuMs / theirs!.cpuMs);
        r.rss.push(ours!.peakRssKb / theirs!.peakRssKb);
        r.ours.push(ours!);
        r.theirs.push(theirs!);
        if (base) r.base.push(base);
        ratios.set(inFlight, r);
      }
      loads.push(loadNow());
    }
  } finally {
    for (const agent of fleet) {
      agent.child.stdin?.end();
      agent.child.kill("SIGTERM");
    }
  }
  const rows: [string, string][] = [];
  for (const [inFlight, r] of ratios) {
    const polls = inFlight * options.waves;
    rows.push(
      [`${inFlight} in flight: CPU per poll, opsbot/exporter`, `${medianRange(r.cpu, 3)}  (target ≤ 0.07)`],
      [`${inFlight} in flight: peak RSS, opsbot/exporter`, `${medianRange(r.rss)}  (target ≤ 1.5)`],
      [
        `  opsbot CPU per poll / peak RSS`,
        `${medianRange(r.ours.map((o) => o.cpuMs / polls))} ms / ${medianRange(
          r.ours.map((o) => o.peakRssKb / 1024),
          0,
        )} MB`,
      ],
      [
        `  snmp_exporter CPU per scrape / peak RSS`,
        `${medianRange(r.theirs.map((o) => o.cpuMs / polls))} ms / ${medianRange(
          r.theirs.map((o) => o.peakRssKb / 1024),
          0,
        )} MB`,
      ],
    );
    if (r.base.length > 0) {
      rows.push(
        [
          `  baseline: CPU per poll, baseline/exporter`,
          medianRange(
            r.base.map((b, i) => b.cpuMs / r.theirs[i]!.cpuMs),
            3,
          ),
        ],
        [
          `  baseline: peak RSS, baseline/exporter`,
          medianRange(r.base.map((b, i) => b.peakRssKb / r.theirs[i]!.peakRssKb)),
        ],
        [
          `  opsbot/baseline: CPU per poll, peak RSS`,
          `${medianRange(
            r.ours.map((o, i) => o.cpuMs / r.base[i]!.cpuMs),
            3,
          )}, ${medianRange(r.ours.map((o, i) => o.peakRssKb / r.base[i]!.peakRssKb))}`,
        ],
      );
    }
  }
  rows.push(...loads.map((l, i): [string, string] => [i === 0 ? "load before" : `load after round ${i}`, l]));
  printTable(
    `${title}: ${options.rounds} rotating rounds${options.baseline ? ` (baseline ${options.baseline})` : ""} of ${options.warmupWaves} unmeasured + ${options.waves} measured waves each, median (range)`,
    rows,
  );
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.exporterOnly) {
    await versusExporter(options);
    return;
  }
  const agents = await Promise.all(Array.from({ length: options.agents }, () => startAgentProcess()));
  const devices: DeviceConfig[] = Array.from({ length: options.devices }, (_, i) =>
    deviceSchema.parse({
      name: `sw-${String(i + 1).padStart(3, "0")}`,
      host: "127.0.0.1",
      snmp: {
        port: agents[i % agents.length]!.port,
        version: "2c",
        community: COMMUNITY,
        timeout_ms: 5000,
        retries: 1,
      },
    }),
  );
  const collector = createSnmpCollector({
    logger: silentLogger(),
    clock: systemClock,
    maxOutstandingPerAgent: 4,
  });
  const poll: Poll = async (device) => {
    const obs = await collector.collect(device, { collectors: PROFILE });
    if (obs.errors.length > 0 || obs.interfaces?.length !== 53 || !obs.entity) {
      throw new Error(`poll of ${device.name} failed: ${JSON.stringify(obs.errors)}`);
    }
  };

  try {
    // Warm up: JIT, agents' first answers.
    for (let round = 0; round < 3; round++) await runPool(devices, options.concurrency, poll);

    const sequential = await measureSequential(devices, options.polls, poll);
    const burst = await measureThroughput(devices, options.polls * 2, options.concurrency, agents, poll);

    let wall0 = performance.now();
    await runPool(devices, options.concurrency, poll);
    const fleetConcurrentMs = performance.now() - wall0;
    wall0 = performance.now();
    for (const device of devices) await poll(device);
    const fleetSequentialMs = performance.now() - wall0;
    const shell = onPath("snmpbulkwalk") ? measureShellWay(devices) : undefined;

    const agentTotal = burst.agentCpu.reduce((a, b) => a + b, 0);
    process.stdout.write(
      `snmp-poll: 48-port switch profile (system + ifTable + ifXTable + entity), ${devices.length} devices on ` +
        `${agents.length} agent processes; ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(2)}\n`,
    );
    printTable("1. poller CPU per poll, one poll at a time", [
      ["polls", String(options.polls)],
      [
        "poller CPU per poll",
        `${fmt(sequential.cpuMs, 3)} ms  (target ≤ 2 ms; ${fmt(1000 / sequential.cpuMs, 0)} polls/s per core)`,
      ],
      ["wall per poll", `${fmt(sequential.wallMs, 3)} ms  (includes the agent's time)`],
    ]);
    printTable(`2. throughput, ${options.concurrency} polls in flight`, [
      ["polls", `${burst.polls} in ${fmt(burst.wallMs / 1000)} s`],
      ["devices polled per second", fmt((burst.polls * 1000) / burst.wallMs, 0)],
      [
        "poller CPU per poll",
        `${fmt(burst.pollerCpuMs / burst.polls, 3)} ms  (poller busy ${fmt((burst.pollerCpuMs / burst.wallMs) * 100, 0)}% of a core)`,
      ],
      [
        "agent CPU per poll",
        `${fmt(agentTotal / burst.polls, 3)} ms  (each agent busy ${burst.agentCpu.map((c) => `${fmt((c / burst.wallMs) * 100, 0)}%`).join(", ")} of a core)`,
      ],
    ]);
    const rows: [string, string][] = [
      [`opsbot, ${options.concurrency} in flight`, `${fmt(fleetConcurrentMs, 1)} ms`],
      [
        "opsbot, one at a time",
        `${fmt(fleetSequentialMs, 1)} ms  (${fmt(sequential.cpuMs * devices.length, 0)} ms CPU)`,
      ],
    ];
    if (shell) {
      rows.push(
        [
          `snmpbulkwalk × ${shell.walks}`,
          `${fmt(shell.wallMs, 1)} ms  (${fmt(shell.cpuMs, 0)} ms CPU in snmpbulkwalk)`,
        ],
        [
          "ours / theirs, wall",
          `${fmt(fleetConcurrentMs / shell.wallMs, 4)} (in flight), ${fmt(fleetSequentialMs / shell.wallMs, 4)} (one at a time)`,
        ],
        ["ours / theirs, CPU", fmt((sequential.cpuMs * devices.length) / shell.cpuMs, 4)],
      );
    } else {
      rows.push(["snmpbulkwalk", "not installed (apt-get install snmp): skipped"]);
    }
    printTable(`3. the whole fleet once: opsbot vs snmpbulkwalk per device and table`, rows);
    await versusExporter(options);
  } finally {
    collector.close();
    for (const agent of agents) {
      agent.child.stdin?.end();
      agent.child.kill("SIGTERM");
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
