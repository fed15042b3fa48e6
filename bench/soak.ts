/**
 * Soak (on demand, not part of `npm test`): the real bot (`opsbot start`, its own process) in Slack
 * Socket Mode against the local Slack emulator with 1 % of chat.postMessage / chat.update answered
 * HTTP 500, watching the demo's simulated fleet on loopback (SNMP agents + SSH hosts), polled every
 * 10 s while ports flap, and running a chatty runbook (3 ssh steps, ~150 output lines, a notify) every
 * few seconds, requested by slash command in four channels. Samples the bot's RSS and open fds (/proc) and its heap and
 * active handles (its own /metrics) over time; at the end lets Slack traffic drain and counts every run
 * whose thread summary or final parent message never arrived (lost, expected 0).
 *
 * Run: npm run bench -- soak [--minutes 30] [--run-every-s 5] [--flap-every-s 7] [--sample-s 30]
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { stringify } from "yaml";
import { parseConfig } from "../src/config/load.js";
import type { Config } from "../src/config/schema.js";
import { startDemoFleet } from "../src/demo/fleet.js";
import {
  DEFAULT_CHANNELS,
  DEFAULT_USERS,
  type SlackEmulator,
  slashCommand,
  startSlackEmulator,
} from "../test/support/slack-emulator/index.js";
import { numberArg } from "./support/args.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const MINUTES = numberArg("minutes", 30);
const RUN_EVERY_S = numberArg("run-every-s", 5);
const FLAP_EVERY_S = numberArg("flap-every-s", 7);
const SAMPLE_S = numberArg("sample-s", 30);
const DRAIN_MS = 180_000;
const ALICE = "U0ALICE01";
/**
 * Runs are requested round-robin in these channels: Slack allows about one write per second per
 * channel, and one run makes about six (request, updates, notify, summary), so one channel could not
 * keep up with a run every 5 s — a backlog, not a leak, and not what this bench is after.
 */
const RUN_CHANNELS = ["C0SOAK001", "C0SOAK002", "C0SOAK003", "C0SOAK004"];

interface Sample {
  atS: number;
  rssMb: number;
  heapMb: number;
  handles: number;
  fds: number;
  load: number;
}

const chatty = (step: string) =>
  Array.from({ length: 50 }, (_, i) => `echo ${step} line ${i + 1} of 50`).join("; ");

const RUNBOOK = `name: soak-chatty
description: Talks a lot, every few seconds (bench/soak).
targets: [web01]
runners: [role:oncall]
steps:
  - id: one
    ssh: { command: "${chatty("one")}" }
  - id: two
    needs: [one]
    ssh: { command: "${chatty("two")}; sleep 1" }
  - id: three
    needs: [two]
    ssh: { command: "${chatty("three")}" }
  - id: tell
    needs: [three]
    notify: { message: "soak run on {{ target.name }} done" }
`;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

function botConfig(fleetConfig: Config, opsPort: number, runbooksDir: string): string {
  const { role_channels: _derived, ...config } = fleetConfig as Config & { role_channels?: unknown };
  const yaml: Record<string, unknown> = {
    ...config,
    roles: { admin: [ALICE], oncall: [ALICE], ops: ["U0BOB0001"] },
    channels: { ops: "#ops", alerts: "#alerts" },
    approvals: {},
    console: { ...config.console, channel: "#ops" },
    polling: { ...config.polling, schedule: "*/10 * * * * *", jitter_ms: 0 },
    orchestration: { ...config.orchestration, runbooks_dir: runbooksDir },
    ops: { enabled: true, host: "127.0.0.1", port: opsPort },
  };
  const text = stringify(yaml);
  parseConfig(text, "soak.yaml", {}); // fail here, with the path of the bad field, not in the child
  return text;
}

async function metric(opsPort: number, names: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  try {
    const body = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    // Summed over label sets (a counter by outcome counts as its total).
    for (const name of names) {
      for (const m of body.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)`, "gm")))
        out[name] = (out[name] ?? 0) + Number(m[1]);
    }
  } catch {
    // not listening yet
  }
  return out;
}

function procStats(pid: number): { rssMb: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { rssMb: rssKb / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

async function sample(pid: number, opsPort: number, t0: number): Promise<Sample> {
  const { rssMb, fds } = procStats(pid);
  const m = await metric(opsPort, [
    "opsbot_nodejs_heap_size_used_bytes",
    "opsbot_nodejs_active_handles_total",
  ]);
  return {
    atS: Math.round((Date.now() - t0) / 1000),
    rssMb,
    heapMb: (m.opsbot_nodejs_heap_size_used_bytes ?? Number.NaN) / 1048576,
    handles: m.opsbot_nodejs_active_handles_total ?? Number.NaN,
    fds,
    load: loadavg()[0]!,
  };
}

function startBot(dir: string, emu: SlackEmulator): ChildProcess {
  const child = spawn(process.execPath, [join(root, "dist/src/cli.js"), "start"], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      OPSBOT_CONFIG: join(dir, "opsbot.yaml"),
      OPSBOT_DB: join(dir, "opsbot.db"),
      OPSBOT_LOG_LEVEL: "warn",
      SLACK_BOT_TOKEN: emu.botToken,
      SLACK_APP_TOKEN: emu.appToken,
      SLACK_API_URL: emu.apiUrl,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  child.once("exit", (code, signal) => {
    if (!stopping) console.error(`bot exited early (${code ?? signal}):\n${stderr}`);
  });
  return child;
}

let stopping = false;
const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "?");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "opsbot-soak-"));
  const runbooks = join(dir, "runbooks");
  mkdirSync(runbooks);
  writeFileSync(join(runbooks, "soak-chatty.yaml"), RUNBOOK);
  const emu = await startSlackEmulator({
    seed: {
      users: DEFAULT_USERS,
      channels: [
        ...DEFAULT_CHANNELS,
        ...RUN_CHANNELS.map((id, i) => ({ id, name: `soak-${i + 1}`, kind: "channel" as const })),
      ],
    },
    randomFaults: { rate: 0.01 },
  });
  const fleet = await startDemoFleet(
    (await import("../src/config/load.js")).loadConfigFile(join(root, "demo", "opsbot.demo.yaml")),
  );
  const opsPort = await freePort();
  writeFileSync(join(dir, "opsbot.yaml"), botConfig(fleet.config, opsPort, runbooks));
  const bot = startBot(dir, emu);
  // Whatever happens to this process, the bot it started does not outlive it.
  process.once("exit", () => bot.kill("SIGKILL"));
  const timers: NodeJS.Timeout[] = [];
  try {
    await emu.socket.waitForConnection();
    await emu.waitFor("the ops listener", () => procStats(bot.pid!).fds > 0, 30_000);
    const t0 = Date.now();
    const samples: Sample[] = [await sample(bot.pid!, opsPort, t0)];
    console.log(
      `soak: ${MINUTES} min, a run every ${RUN_EVERY_S} s, a port flap every ${FLAP_EVERY_S} s, ` +
        `poll every 10 s, 1 % of chat posts/updates answered 500 (load ${fmt(loadavg()[0]!, 2)})`,
    );
    let requested = 0;
    let refused = 0;
    timers.push(
      setInterval(() => {
        const channel = RUN_CHANNELS[requested % RUN_CHANNELS.length]!;
        requested += 1;
        const payload = slashCommand({
          text: "run soak-chatty",
          channel,
          user: ALICE,
          responseUrl: emu.responseUrl(channel, ALICE),
        });
        emu.socket.deliver("slash_commands", payload).then(
          (ack) => {
            if (ack.status !== "acked") refused += 1;
          },
          () => {
            refused += 1;
          },
        );
      }, RUN_EVERY_S * 1000),
    );
    let flip = 0;
    const ports: [string, number][] = [
      ["access-sw2", 3],
      ["edge-sw3", 2],
      ["core-sw1", 5],
    ];
    timers.push(
      setInterval(() => {
        const [device, ifIndex] = ports[flip % ports.length]!;
        fleet.flipPort(device, ifIndex, Math.floor(flip / ports.length) % 2 === 0 ? "down" : "up");
        flip += 1;
      }, FLAP_EVERY_S * 1000),
    );
    timers.push(
      setInterval(() => {
        void sample(bot.pid!, opsPort, t0).then((s) => {
          samples.push(s);
          console.log(
            `  t=${s.atS}s rss=${fmt(s.rssMb)}MB heap=${fmt(s.heapMb)}MB handles=${s.handles} fds=${s.fds} load=${fmt(s.load, 2)}`,
          );
        });
      }, SAMPLE_S * 1000),
    );
    await sleep(MINUTES * 60_000);
    for (const t of timers) clearInterval(t);
    timers.length = 0;
    samples.push(await sample(bot.pid!, opsPort, t0));

    // Drain: every requested run finished in the bot's store, and its thread got its summary.
    const db = new Database(join(dir, "opsbot.db"), { readonly: true, fileMustExist: true });
    const runs = () =>
      db.prepare("SELECT id, status, channel FROM runs WHERE runbook = 'soak-chatty'").all() as {
        id: number;
        status: string;
        channel: string;
      }[];
    const text = (m: unknown) => JSON.stringify(m);
    const missing = () => {
      const lost: string[] = [];
      for (const r of runs()) {
        const msgs = emu.workspace.messages.filter((m) => m.channel === r.channel);
        const tag = `Run ${r.id} (soak-chatty) ${r.status}`;
        if (!msgs.some((m) => m.threadTs && m.threadTs !== m.ts && text(m).includes(tag)))
          lost.push(`${r.id}:summary`);
        if (
          !msgs.some(
            (m) =>
              (!m.threadTs || m.threadTs === m.ts) &&
              text(m).includes(`Run ${r.id} `) &&
              text(m).includes(r.status),
          )
        )
          lost.push(`${r.id}:parent`);
      }
      return lost;
    };
    const drainStart = Date.now();
    let lost = missing();
    while (
      Date.now() - drainStart < DRAIN_MS &&
      (lost.length > 0 || runs().some((r) => ["pending", "approved", "running"].includes(r.status)))
    ) {
      await sleep(2000);
      lost = missing();
    }
    const end = await sample(bot.pid!, opsPort, t0);
    const counts = await metric(opsPort, ["opsbot_polls_total", "opsbot_alert_deliveries_total"]);
    const all = runs();
    const byStatus = all.reduce<Record<string, number>>((acc, r) => {
      acc[r.status] = (acc[r.status] ?? 0) + 1;
      return acc;
    }, {});
    db.close();

    const posts = emu.callsTo("chat.postMessage");
    const updates = emu.callsTo("chat.update");
    const injected = emu.calls.filter((c) => c.status === 500).length;
    const rss = samples.map((s) => s.rssMb);
    const heap = samples.map((s) => s.heapMb).filter(Number.isFinite);
    const first = samples[0]!;
    console.log(
      `runs: ${requested} requested (${refused} not acked), ${all.length} in the store: ${JSON.stringify(byStatus)}`,
    );
    console.log(
      `slack: ${posts.length} chat.postMessage (${posts.filter((c) => c.ok).length} ok), ${updates.length} chat.update ` +
        `(${updates.filter((c) => c.ok).length} ok), ${injected} answered 500 by injection, ` +
        `${emu.workspace.messages.length} messages in the workspace`,
    );
    console.log(
      `fleet: ${flip} port flaps, ${counts.opsbot_polls_total ?? "?"} device polls, ` +
        `${counts.opsbot_alert_deliveries_total ?? "?"} alert posts/updates`,
    );
    console.log(
      `lost: ${lost.length} of ${all.length * 2} expected run messages (summary + final parent per run)` +
        `${lost.length ? ` — ${lost.slice(0, 20).join(", ")}` : ""}; drained in ${Math.round((Date.now() - drainStart) / 1000)} s`,
    );
    console.log(
      `rss MB: start ${fmt(first.rssMb)} peak ${fmt(Math.max(...rss))} end-of-load ${fmt(samples.at(-1)!.rssMb)} ` +
        `after drain ${fmt(end.rssMb)} (end/start ${fmt(end.rssMb / first.rssMb, 2)})`,
    );
    console.log(
      `heap MB: start ${fmt(first.heapMb)} peak ${fmt(Math.max(...heap))} after drain ${fmt(end.heapMb)}; ` +
        `handles: start ${first.handles} end ${end.handles}; fds: start ${first.fds} end ${end.fds}; ` +
        `load avg now ${fmt(loadavg()[0]!, 2)}`,
    );
    if (lost.length > 0) process.exitCode = 1;
  } finally {
    for (const t of timers) clearInterval(t);
    stopping = true;
    bot.kill("SIGTERM");
    await new Promise((r) => {
      if (bot.exitCode !== null || bot.signalCode !== null) r(undefined);
      else bot.once("exit", r);
    });
    await fleet.stop();
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
