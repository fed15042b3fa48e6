/**
 * The poller alone in a process of its own, so its CPU and peak RSS can be read like a peer's:
 * `node dist/bench/support/poll-worker.js '<json>'` with {ports, community, inFlight, polls, warmup}.
 * Polls `warmup` then `polls` devices (system + interfaces, 48-port switch agents), `inFlight` at a
 * time, cycling over one device per port entry; prints one JSON line: CPU and wall of the measured
 * polls, peak RSS of the whole process (warm-up included, as a peer's high-water mark would be).
 * Devices are plain objects: the config schema (zod) is not what is measured.
 */
import type { DeviceConfig } from "../../src/config/schema.js";
import { systemClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createSnmpCollector } from "../../src/management/collectors/snmp/index.js";
import type { PollJob } from "./snmp-exporter-peer.js";

const job = JSON.parse(process.argv[2]!) as PollJob;
const devices: DeviceConfig[] = job.ports.map((port, i) => ({
  name: `sw-${i}`,
  host: "127.0.0.1",
  tags: [],
  snmp: {
    port,
    version: "2c",
    community: job.community,
    timeout_ms: 10_000,
    retries: 1,
    max_repetitions: 25,
    collect: ["system", "interfaces"],
  },
}));
const collector = createSnmpCollector({ logger: silentLogger(), clock: systemClock });

async function pollMany(count: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const device = devices[next++ % devices.length]!;
      const obs = await collector.collect(device);
      if (obs.errors.length > 0 || obs.interfaces?.length !== job.interfaces)
        throw new Error(`poll of ${device.name} failed: ${JSON.stringify(obs.errors)}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(job.inFlight, count) }, lane));
}

await pollMany(job.warmup);
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
await pollMany(job.polls);
const cpu = process.cpuUsage(cpu0);
const wallMs = performance.now() - wall0;
collector.close();
process.stdout.write(
  `${JSON.stringify({
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs,
    peakRssKb: process.resourceUsage().maxRSS,
  })}\n`,
);
