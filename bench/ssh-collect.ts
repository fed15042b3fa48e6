import { copyFileSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { configSchema } from "../src/config/schema.js";
import { systemClock } from "../src/lib/clock.js";
import { silentLogger } from "../src/lib/logger.js";
import { createSshRunner } from "../src/lib/ssh/runner.js";
import type { SshRunner } from "../src/lib/ssh/types.js";
import { createSshCollector, withSshCollector } from "../src/management/collectors/ssh/index.js";
import { createPoller } from "../src/management/poller.js";
import { openStore } from "../src/store/store.js";
import { type Sshd, startSshd } from "../test/support/sshd.js";

/**
 * SMART + RAID collection over SSH across 50 hosts: 5 real sshd instances, each listening on 10
 * loopback addresses (every address:port is a separate host to the pool). Each host answers
 * `smartctl --scan`, three `smartctl -j -H -A -i` (one failing disk), `cat /proc/mdstat` (degraded)
 * and `zpool list` from the fixture scripts — 6 commands per host per poll.
 *
 * Reports wall time and CPU (opsbot, and the sshd side incl. its per-connection children) per poll
 * cycle, and checks the pool keeps handshakes to one per host per cycle; compared with opening a
 * connection per command. Run from the repo root after `npm run build`: node dist/bench/ssh-collect.js
 */
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 5);
const HOSTS_PER_INSTANCE = 10;
const CYCLES = Number(process.env.BENCH_CYCLES ?? 3);
const REPO = resolve(".");
const FIXTURES = join(REPO, "test/fixtures/ssh");

const serve = (sshd: Sshd, recorded: string, as: string) =>
  copyFileSync(join(FIXTURES, recorded), join(sshd.fixtureDir, as));

/** utime+stime+cutime+cstime of a process, in ms (cutime covers the reaped per-connection children). */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i]), 0);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function main(): Promise<void> {
  const instances: Sshd[] = [];
  try {
    for (let k = 0; k < INSTANCES; k++) {
      const extra = Array.from({ length: HOSTS_PER_INSTANCE - 1 }, (_, i) => `127.0.${k + 1}.${i + 2}`);
      const sshd = await startSshd({ binDir: join(FIXTURES, "bin"), extraAddresses: extra });
      serve(sshd, "smartctl-scan.json", "smartctl-scan.json");
      serve(sshd, "smartctl-sda-passing.json", "smartctl-sda.json");
      serve(sshd, "smartctl-sdb-failing.json", "smartctl-sdb.json");
      serve(sshd, "smartctl-sdb-failing.exit", "smartctl-sdb.exit");
      serve(sshd, "smartctl-nvme0-passing.json", "smartctl-nvme0.json");
      serve(sshd, "mdstat-degraded", "mdstat");
      instances.push(sshd);
    }
    const sshdPids = instances.map((s) => Number(readFileSync(join(s.dir, "sshd.pid"), "utf8")));
    const sshdCpuMs = () => sshdPids.reduce((sum, pid) => sum + processCpuMs(pid), 0);

    const devices = instances.flatMap((sshd, k) =>
      [
        "127.0.0.1",
        ...Array.from({ length: HOSTS_PER_INSTANCE - 1 }, (_, i) => `127.0.${k + 1}.${i + 2}`),
      ].map((host, i) => ({
        name: `host-${k}-${i}`,
        host,
        ssh: {
          user: sshd.user,
          port: sshd.port,
          host_key: sshd.hostKeyLine,
          key_file: sshd.clientKeyPath,
          collect: ["smart", "raid"],
        },
      })),
    );
    const config = configSchema.parse({ devices, polling: { concurrency: 32, jitter_ms: 0 } });
    const rows: string[][] = [];

    async function measure(label: string, ssh: SshRunner, handshakes: () => number, idleMs: number) {
      const store = openStore(":memory:");
      const logger = silentLogger();
      const collector = withSshCollector(
        undefined,
        createSshCollector({ ssh, clock: systemClock, logger }),
        systemClock,
      );
      const poller = createPoller({ collector, store, clock: systemClock, logger, config });
      for (let cycle = 1; cycle <= CYCLES; cycle++) {
        const h0 = handshakes();
        const c0 = ownCpuMs();
        const s0 = sshdCpuMs();
        const t0 = performance.now();
        const outcomes = await poller.pollAll();
        const wall = performance.now() - t0;
        const failed = outcomes.filter((o) => !o.reachable || o.error);
        if (failed.length > 0) throw new Error(`${failed.length} polls failed: ${failed[0]!.error}`);
        const made = handshakes() - h0;
        const opsbotCpu = ownCpuMs() - c0;
        // Let pooled connections idle out, so every cycle starts cold like a real 5-minute poll — and
        // so sshd has reaped its per-connection children, whose CPU only then counts (cutime).
        await new Promise((r) => setTimeout(r, idleMs + 500));
        rows.push([
          label,
          String(cycle),
          wall.toFixed(0),
          opsbotCpu.toFixed(0),
          (sshdCpuMs() - s0).toFixed(0),
          String(made),
          (made / devices.length).toFixed(2),
        ]);
      }
      await poller.stop();
      store.close();
    }

    const pooled = createSshRunner({ logger: silentLogger(), idleMs: 500 });
    await measure("pooled", pooled, () => pooled.stats().handshakes, 500);
    const pooledHandshakes = rows.map((r) => Number(r[5]));
    await pooled.close();

    // The naive way: a new connection (handshake + auth) for every command.
    let naiveHandshakes = 0;
    const perCommand: SshRunner = {
      async exec(target, command, options) {
        const one = createSshRunner({ logger: silentLogger() });
        try {
          return await one.exec(target, command, options);
        } finally {
          naiveHandshakes += one.stats().handshakes;
          await one.close();
        }
      },
      close: async () => {},
    };
    await measure("connection per command", perCommand, () => naiveHandshakes, 0);

    process.stdout.write(
      `SMART + RAID over SSH: ${devices.length} hosts on ${INSTANCES} sshd instances, 6 commands per host per poll, poller concurrency ${config.polling.concurrency}\n`,
    );
    printColumns(
      ["mode", "cycle", "wall ms", "opsbot CPU ms", "sshd CPU ms", "handshakes", "per host"],
      rows,
    );
    const ok = pooledHandshakes.every((h) => h === devices.length);
    process.stdout.write(
      `pool: ${ok ? "OK" : "FAIL"} — one handshake per host per poll cycle (${pooledHandshakes.join(", ")} for ${devices.length} hosts)\n`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await Promise.all(instances.map((s) => s.stop()));
  }
}

function printColumns(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  process.stdout.write(`${[line(head), ...rows.map(line)].join("\n")}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
