/**
 * How long a black-holed SSH session takes to be declared lost, against the configured budget.
 * A real sshd on loopback; a command runs; the sshd process serving the session is stopped (SIGSTOP:
 * the kernel still ACKs, nothing answers). Measured from the stop to the verdict:
 *  - opsbot's runner (keepalive.ts: silence watch over every received byte), interval × count;
 *  - the peer: a bare ssh2 client with the same keepaliveInterval / keepaliveCountMax and nothing else
 *    (what opsbot did before: the 58 s for 15 s × 3).
 * Prints each against interval × count (the goal: ≤ 1.0, plus at most one interval of slack).
 * Run: npm run bench -- keepalive [--interval-ms 1000] [--count 3] [--rounds 5]
 */

import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import ssh2 from "ssh2";
import { silentLogger } from "../src/lib/logger.js";
import { createSshRunner } from "../src/lib/ssh/runner.js";
import { type Sshd, startSshd } from "../test/support/sshd.js";
import { numberArg } from "./support/args.js";

const { Client } = ssh2;
const INTERVAL_MS = numberArg("interval-ms", 1000);
const COUNT = numberArg("count", 3);
const ROUNDS = numberArg("rounds", 5);
const BUDGET_MS = INTERVAL_MS * COUNT;

/** Prints the sshd session pid (the command's nearest sshd ancestor), then runs long. */
const COMMAND =
  'p=$PPID; while [ "$(cat /proc/$p/comm)" != sshd ]; do p=$(ps -o ppid= -p $p | tr -d " "); done; echo session=$p; sleep 120';

function sessionPid(text: string): number | undefined {
  const m = /session=(\d+)/.exec(text);
  return m ? Number(m[1]) : undefined;
}

async function waitPid(read: () => string): Promise<number> {
  for (;;) {
    const pid = sessionPid(read());
    if (pid) return pid;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function opsbotRound(sshd: Sshd): Promise<number> {
  const runner = createSshRunner({ logger: silentLogger() });
  const target = sshd.target({ name: "bench", keepalive: { intervalMs: INTERVAL_MS, countMax: COUNT } });
  let out = "";
  const done = runner.exec(target, COMMAND, { timeoutMs: 0, onData: (c) => (out += c) });
  const pid = await waitPid(() => out);
  process.kill(pid, "SIGSTOP");
  const t0 = performance.now();
  const r = await done;
  const ms = performance.now() - t0;
  process.kill(pid, "SIGCONT");
  await runner.close();
  if (r.connectionLost === undefined) throw new Error(`not reported lost: ${JSON.stringify(r)}`);
  return ms;
}

async function ssh2Round(sshd: Sshd): Promise<number> {
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    client.once("ready", () => resolve()).once("error", reject);
    client.connect({
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      privateKey: readFileSync(sshd.clientKeyPath),
      keepaliveInterval: INTERVAL_MS,
      keepaliveCountMax: COUNT,
    });
  });
  let out = "";
  const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
  client.on("error", () => {});
  client.exec(COMMAND, (err, ch) => {
    if (err) throw err;
    ch.on("data", (d: Buffer) => {
      out += d.toString();
    });
    ch.stderr.resume();
  });
  const pid = await waitPid(() => out);
  process.kill(pid, "SIGSTOP");
  const t0 = performance.now();
  await closed;
  const ms = performance.now() - t0;
  process.kill(pid, "SIGCONT");
  return ms;
}

function line(label: string, samples: number[]): void {
  const s = [...samples].sort((a, b) => a - b);
  const max = s.at(-1)!;
  console.log(
    `${label}: min ${(s[0]! / 1000).toFixed(2)} s, max ${(max / 1000).toFixed(2)} s over ${s.length} rounds ` +
      `→ max ÷ (interval × count) = ${(max / BUDGET_MS).toFixed(2)} (allowed ≤ ${((BUDGET_MS + INTERVAL_MS) / BUDGET_MS).toFixed(2)})`,
  );
}

const sshd = await startSshd();
try {
  console.log(
    `keepalive ${INTERVAL_MS} ms × ${COUNT} (budget ${BUDGET_MS} ms), ${ROUNDS} rounds each, load ${loadavg()[0]!.toFixed(2)}`,
  );
  const ours: number[] = [];
  const peer: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    ours.push(await opsbotRound(sshd));
    peer.push(await ssh2Round(sshd));
  }
  line("opsbot (silence watch)", ours);
  line("ssh2 keepalive alone (peer)", peer);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(
    `opsbot ÷ peer (mean): ${(mean(ours) / mean(peer)).toFixed(2)}; load ${loadavg()[0]!.toFixed(2)}`,
  );
  if (Math.max(...ours) > BUDGET_MS + INTERVAL_MS) process.exitCode = 1;
} finally {
  await sshd.stop();
}
