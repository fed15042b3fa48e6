/**
 * SNMP poll cost: poller CPU per poll of a 48-port switch profile (system + ifTable + ifXTable +
 * entity), devices polled per second with several agent processes, and the same fleet polled the
 * shell-script way (snmpbulkwalk once per device and table).
 *
 *   npm run build && node dist/bench/snmp-poll.js [--agents 3] [--devices 30] [--polls 300] [--concurrency 16]
 *
 * Agents: bench/support/replay-agent.ts in child processes (one per process, 127.0.0.1) serving
 * test/fixtures/snmp/switch48.snmprec — the fixture the integration tests serve with snmpsimd.
 * snmpsimd itself is ~45 ms per GetBulk and would only measure Python.
 * Every number is printed; nothing is asserted (targets: ≤ 2 ms poller CPU per poll).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type DeviceConfig, deviceSchema } from "../src/config/schema.js";
import { systemClock } from "../src/lib/clock.js";
import { silentLogger } from "../src/lib/logger.js";
import { createSnmpCollector } from "../src/management/collectors/snmp/index.js";

const COMMUNITY = "switch48";
const FIXTURE = fileURLToPath(new URL("../../test/fixtures/snmp/switch48.snmprec", import.meta.url));
const PROFILE = ["system", "interfaces", "entity"] as const;
const TABLES = ["1.3.6.1.2.1.1", "1.3.6.1.2.1.2.2", "1.3.6.1.2.1.31.1.1", "1.3.6.1.2.1.47.1.1.1"];
const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ

interface Options {
  agents: number;
  devices: number;
  polls: number;
  concurrency: number;
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
  };
}

interface AgentProcess {
  child: ChildProcess;
  port: number;
}

/** Starts one replay agent serving the 48-port switch fixture in its own node process. */
function startAgentProcess(): Promise<AgentProcess> {
  const script = fileURLToPath(new URL("./support/replay-agent.js", import.meta.url));
  const child = spawn(process.execPath, [script, FIXTURE, COMMUNITY], { stdio: ["pipe", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split("\n")[0];
      if (buffer.includes("\n") && line)
        resolve({ child, port: (JSON.parse(line) as { port: number }).port });
    });
    child.once("exit", (code) => reject(new Error(`agent process exited with ${code}`)));
  });
}

/** CPU of a process from /proc/<pid>/stat, in ms: its own (utime+stime) or its waited-for children's. */
function procCpuMs(pid: number | "self", which: "own" | "children" = "own"): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after "(comm) ": state is [0]; utime [11], stime [12], cutime [13], cstime [14].
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks =
    which === "own" ? Number(fields[11]) + Number(fields[12]) : Number(fields[13]) + Number(fields[14]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
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

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  console.log(
    `snmp-poll bench: ${options.agents} agent processes, ${options.devices} devices (48-port switch profile: system + ifTable + ifXTable + entity)`,
  );

  const agents = await Promise.all(Array.from({ length: options.agents }, startAgentProcess));
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
  const poll = async (device: DeviceConfig): Promise<void> => {
    const obs = await collector.collect(device, { collectors: PROFILE });
    if (obs.errors.length > 0 || obs.interfaces?.length !== 53) {
      throw new Error(`poll of ${device.name} failed: ${JSON.stringify(obs.errors)}`);
    }
  };

  try {
    // Warm up: JIT, sessions, agents' lazy paths.
    for (let round = 0; round < 3; round++) await runPool(devices, options.concurrency, poll);

    // 1. CPU per poll, one poll at a time (no overlap, so nothing hides in parallelism).
    const sequential = Array.from({ length: options.polls }, (_, i) => devices[i % devices.length]!);
    let cpu0 = process.cpuUsage();
    let wall0 = performance.now();
    for (const device of sequential) await poll(device);
    const seqCpu = cpuMs(process.cpuUsage(cpu0)) / sequential.length;
    const seqWall = (performance.now() - wall0) / sequential.length;

    // 2. Throughput with concurrency; agents' CPU from /proc.
    const burst = Array.from({ length: options.polls * 2 }, (_, i) => devices[i % devices.length]!);
    const agentCpu0 = agents.map((a) => procCpuMs(a.child.pid!));
    cpu0 = process.cpuUsage();
    wall0 = performance.now();
    await runPool(burst, options.concurrency, poll);
    const burstWallMs = performance.now() - wall0;
    const burstCpu = cpuMs(process.cpuUsage(cpu0));
    const agentCpu = agents.map((a, i) => procCpuMs(a.child.pid!) - agentCpu0[i]!);
    const agentCpuTotal = agentCpu.reduce((a, b) => a + b, 0);

    // 3. Our fleet poll vs the shell way, same devices, one pass each.
    wall0 = performance.now();
    await runPool(devices, options.concurrency, poll);
    const oursFleetMs = performance.now() - wall0;
    wall0 = performance.now();
    for (const device of devices) await poll(device);
    const oursSequentialMs = performance.now() - wall0;

    const shellCpu0 = procCpuMs("self", "children");
    wall0 = performance.now();
    let walks = 0;
    for (const device of devices) {
      for (const table of TABLES) {
        const result = spawnSync(
          "snmpbulkwalk",
          ["-v2c", "-c", COMMUNITY, "-Cr25", "-t", "5", "-r", "1", `127.0.0.1:${device.snmp!.port}`, table],
          { stdio: ["ignore", "ignore", "pipe"] },
        );
        if (result.status !== 0)
          throw new Error(`snmpbulkwalk failed: ${result.stderr?.toString() ?? result.error}`);
        walks++;
      }
    }
    const shellMs = performance.now() - wall0;
    const shellCpu = procCpuMs("self", "children") - shellCpu0;

    console.log("");
    console.log("1. poller CPU per poll (sequential, one at a time)");
    console.log(`   polls                      ${sequential.length}`);
    console.log(
      `   poller CPU per poll        ${fmt(seqCpu, 3)} ms   (target ≤ 2 ms → ${fmt(1000 / seqCpu, 0)} polls/s per core)`,
    );
    console.log(`   wall per poll              ${fmt(seqWall, 3)} ms   (includes agent time on loopback)`);
    console.log("");
    console.log(`2. throughput, concurrency ${options.concurrency}, ${options.agents} agent processes`);
    console.log(`   polls                      ${burst.length} in ${fmt(burstWallMs / 1000)} s`);
    console.log(`   devices polled per second  ${fmt((burst.length * 1000) / burstWallMs, 0)}`);
    console.log(
      `   poller CPU per poll        ${fmt(burstCpu / burst.length, 3)} ms   (poller CPU busy ${fmt((burstCpu / burstWallMs) * 100, 0)}% of one core)`,
    );
    console.log(
      `   agent CPU per poll         ${fmt(agentCpuTotal / burst.length, 3)} ms   (per agent process: ${agentCpu.map((c) => `${fmt((c / burstWallMs) * 100, 0)}%`).join(", ")} of a core)`,
    );
    console.log("");
    console.log(
      `3. whole fleet (${devices.length} devices) once: opsbot vs snmpbulkwalk per device and table`,
    );
    console.log(
      `   opsbot, concurrency ${String(options.concurrency).padEnd(3)}     ${fmt(oursFleetMs, 1)} ms`,
    );
    console.log(`   opsbot, one at a time      ${fmt(oursSequentialMs, 1)} ms`);
    console.log(
      `   snmpbulkwalk x ${walks}       ${fmt(shellMs, 1)} ms wall, ${fmt(shellCpu, 0)} ms CPU in the snmpbulkwalk processes`,
    );
    console.log(
      `   ours / theirs (wall)       ${fmt(oursFleetMs / shellMs, 4)} concurrent, ${fmt(oursSequentialMs / shellMs, 4)} one at a time`,
    );
    console.log(`   ours / theirs (CPU)        ${fmt((seqCpu * devices.length) / shellCpu, 4)}`);
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
