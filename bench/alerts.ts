import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChatPort, MessageRef } from "../src/chat/port.js";
import type { Reply } from "../src/chat/reply.js";
import { renderReply, SLACK_LIMITS } from "../src/chat/slack/block-kit.js";
import { configSchema } from "../src/config/schema.js";
import { ManualClock } from "../src/lib/clock.js";
import { silentLogger } from "../src/lib/logger.js";
import { createAlertService } from "../src/management/alerts/service.js";
import { openStore, type Store } from "../src/store/store.js";
import { printTable } from "./stats.js";

/**
 * The alert engine at fleet scale, in process (no network):
 * 1. 100,000 change-log rows across 10,000 devices → alerts: time, rows/s, memory.
 * 2. A storm: 5,000 ports (100 switches × 50 uplinks) go down in one poll round → messages per device
 *    per rule, chat calls per channel, and how long Slack's limits take to deliver them.
 */
const MIN = 60_000;

/** Counts chat calls; the outbox and Slack are measured by bench/slack-roundtrip. */
class CountingChat implements ChatPort {
  posts: { channel: string; reply: Reply; thread: boolean }[] = [];
  updates = 0;
  private seq = 0;
  async post(channel: string, reply: Reply, options: { threadTs?: string } = {}): Promise<MessageRef> {
    this.posts.push({ channel, reply, thread: options.threadTs !== undefined });
    return { channel, ts: `${++this.seq}.0` };
  }
  async update(): Promise<void> {
    this.updates++;
  }
  async postEphemeral(): Promise<void> {}
  async uploadFile(): Promise<void> {}
}

function fleetConfig(devices: number, sites: number) {
  return configSchema.parse({
    channels: Object.fromEntries(Array.from({ length: sites }, (_, i) => [`site${i}`, `C-SITE${i}`])),
    alerts: {
      default_channel: "site0",
      routes: Array.from({ length: sites }, (_, i) => ({ sites: [`s${i}`], channel: `site${i}` })),
      rules: { port_down: { hold: "1m" } },
    },
    devices: Array.from({ length: devices }, (_, i) => ({
      name: `dev${i}`,
      host: "127.0.0.1",
      site: `s${i % sites}`,
      tags: i % 10 === 0 ? ["core"] : [],
    })),
  });
}

function tempStore(): { store: Store; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "opsbot-bench-alerts-"));
  const store = openStore(join(dir, "opsbot.db"));
  return {
    store,
    cleanup: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Change = [
  at: number,
  device: string,
  kind: string,
  key: string,
  old: string | null,
  now: string,
  detail: string,
];

function insertChanges(store: Store, rows: Change[]): void {
  const stmt = store.db.prepare(
    "INSERT INTO change_log (at, device, kind, object_key, old, new, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  store.tx(() => {
    for (const r of rows) stmt.run(...r);
  });
}

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;

async function throughput(): Promise<void> {
  const { store, cleanup } = tempStore();
  const clock = new ManualClock();
  const chat = new CountingChat();
  const config = fleetConfig(10_000, 4);
  const t0 = clock.now();
  // A realistic mix: uplink ports flapping up and down, drives degrading, devices dropping off.
  const rows: Change[] = [];
  const uplink = JSON.stringify({ alias: "uplink", adminStatus: "up", ifIndex: 1 });
  for (let i = 0; i < 100_000; i++) {
    const device = `dev${i % 10_000}`;
    const round = Math.floor(i / 10_000);
    const at = t0 + round * MIN;
    const r = (i + round * 3) % 10;
    if (r < 7) {
      const port = `Te1/${(i >> 3) % 4}`;
      rows.push([
        at,
        device,
        "port_oper",
        port,
        round % 2 ? "down" : "up",
        round % 2 ? "up" : "down",
        uplink,
      ]);
    } else if (r < 9) {
      rows.push([
        at,
        device,
        "drive_status",
        `smart:/dev/sd${r}`,
        "ok",
        round % 3 ? "warning" : "failed",
        "{}",
      ]);
    } else {
      rows.push([at, device, "reachability", "", "reachable", "unreachable", "{}"]);
    }
  }
  insertChanges(store, rows);
  clock.set(t0 + 10 * MIN);
  if (global.gc) global.gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  const service = createAlertService({ store, clock, chat, config, logger: silentLogger() });
  const started = performance.now();
  const result = await service.process();
  const ms = performance.now() - started;
  const mem = process.memoryUsage();
  const alerts = (store.db.prepare("SELECT COUNT(*) AS n FROM alert").get() as { n: number }).n;
  const open = service.list().length;
  printTable("100,000 changes across 10,000 devices", [
    ["changes processed", String(result.changes)],
    [
      "time",
      `${(ms / 1000).toFixed(2)} s (${Math.round(result.changes / (ms / 1000)).toLocaleString("en")} changes/s)`,
    ],
    ["alert rows (one per key)", alerts.toLocaleString("en")],
    ["open alerts", open.toLocaleString("en")],
    ["chat: messages posted / updated", `${result.posts} / ${result.updates}`],
    ["heap after (delta)", `${mb(mem.heapUsed)} (${mb(mem.heapUsed - heapBefore)})`],
    ["rss after (delta)", `${mb(mem.rss)} (${mb(mem.rss - rssBefore)})`],
  ]);
  await service.stop();
  cleanup();
}

async function storm(): Promise<void> {
  const { store, cleanup } = tempStore();
  const clock = new ManualClock();
  const chat = new CountingChat();
  const switches = 100;
  const portsEach = 50;
  const config = fleetConfig(switches, 4);
  const service = createAlertService({ store, clock, chat, config, logger: silentLogger() });
  const t0 = clock.now();
  const rows: Change[] = [];
  for (let s = 0; s < switches; s++) {
    for (let p = 1; p <= portsEach; p++) {
      const detail = JSON.stringify({ alias: `uplink ${p}`, adminStatus: "up", ifIndex: p });
      rows.push([t0, `dev${s}`, "port_oper", `Te1/0/${p}`, "up", "down", detail]);
    }
  }
  insertChanges(store, rows);
  const started = performance.now();
  await service.process(); // held (1m)
  clock.advance(MIN);
  const fired = await service.process();
  clock.advance(MIN);
  const again = await service.process(); // nothing new: no chat calls
  const ms = performance.now() - started;

  const top = chat.posts.filter((p) => !p.thread);
  const perChannel = new Map<string, number>();
  for (const p of top) perChannel.set(p.channel, (perChannel.get(p.channel) ?? 0) + 1);
  const groups = store.db
    .prepare(
      "SELECT device, rule, COUNT(*) AS n FROM alert_group GROUP BY device, rule ORDER BY n DESC LIMIT 1",
    )
    .get() as { n: number };
  let maxBlocks = 0;
  let maxSection = 0;
  let overflow = 0;
  for (const p of top) {
    const rendered = renderReply(p.reply, { allowFiles: false, maxMessages: 1 });
    if (rendered.messages.length !== 1) overflow++;
    for (const m of rendered.messages) {
      maxBlocks = Math.max(maxBlocks, m.blocks.length);
      for (const b of m.blocks) {
        const t = "text" in b && b.text && typeof b.text === "object" ? b.text.text.length : 0;
        maxSection = Math.max(maxSection, t);
      }
    }
  }
  const busiest = Math.max(...perChannel.values());
  printTable(`Storm: ${switches * portsEach} ports down at once (${switches} switches × ${portsEach})`, [
    ["engine time (3 passes)", `${ms.toFixed(0)} ms`],
    ["top-level messages", `${top.length} (${fired.posts} on firing, ${again.posts} on the next pass)`],
    ["thread notes", String(chat.posts.length - top.length)],
    ["max messages per device per rule", String(groups.n)],
    ["messages per channel", [...perChannel.entries()].map(([c, n]) => `${c}=${n}`).join(" ")],
    [
      "Slack chat.postMessage (~1/s per channel)",
      `busiest channel needs ≥ ${busiest} s; all channels in parallel ≈ ${busiest} s`,
    ],
    [
      "largest message",
      `${maxBlocks} blocks (limit ${SLACK_LIMITS.blocksPerMessage}), ${maxSection} chars in a section (limit ${SLACK_LIMITS.sectionText})`,
    ],
    ["messages needing a split", String(overflow)],
  ]);
  await service.stop();
  cleanup();
}

await throughput();
await storm();
