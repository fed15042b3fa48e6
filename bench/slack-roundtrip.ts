/**
 * Slack adapter benchmark, all on 127.0.0.1 through the local Slack emulator with the real Bolt app:
 *  1. command in → reply posted: p50/p99 latency with 20 concurrent users (each in their own channel,
 *     and all 20 in one channel, where Slack's ~1 post/s/channel limit dominates);
 *  2. outbox throughput: a burst of 1,000 messages to 10 channels — all delivered, in order, none faster
 *     than the per-channel limit.
 * Run: npm run build && node dist/bench/slack-roundtrip.js [--interval-ms 1000]
 * The default per-channel interval is 100 ms (Slack's limit scaled 10× faster) so the run stays under two
 * minutes; the efficiency figure (achieved / allowed rate) does not depend on the scale.
 */

import { reply, text } from "../src/chat/reply.js";
import { createOutbox } from "../src/chat/slack/outbox.js";
import { createSlackApi } from "../src/chat/slack/slack-api.js";
import {
  type SlackEmulator,
  slashCommand,
  startSlackEmulator,
} from "../test/support/slack-emulator/index.js";
import { startHarness } from "../test/support/slack-harness.js";

const argIndex = process.argv.indexOf("--interval-ms");
const INTERVAL_MS = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 100;
const USERS = 20;
const ROUNDS = 10;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(label: string, samples: number[]): void {
  const s = [...samples].sort((a, b) => a - b);
  console.log(
    `${label}: n=${s.length} p50=${percentile(s, 50).toFixed(1)}ms p90=${percentile(s, 90).toFixed(1)}ms ` +
      `p99=${percentile(s, 99).toFixed(1)}ms max=${s.at(-1)!.toFixed(1)}ms`,
  );
}

function seedChannels(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    id: `C0BENCH${String(i).padStart(2, "0")}`,
    name: `bench-${i}`,
    kind: "channel" as const,
  }));
}

async function oneCommand(emu: SlackEmulator, channel: string, user: string, tag: string): Promise<number> {
  const start = Date.now();
  const payload = slashCommand({
    text: `echo ${tag}`,
    channel,
    user,
    responseUrl: emu.responseUrl(channel, user),
  });
  const ack = await emu.socket.deliver("slash_commands", payload);
  if (ack.status !== "acked") throw new Error(`envelope ${ack.envelopeId} ${ack.status}`);
  // Measured to the moment the emulator accepted the reply, not to when this loop noticed it.
  const answer = await emu.waitFor(
    tag,
    () => emu.workspace.messages.find((m) => m.text === `echo: ${tag}`),
    120_000,
  );
  return answer.postedAt - start;
}

async function roundtrip(): Promise<void> {
  const channels = seedChannels(USERS);
  const users = Array.from({ length: USERS }, (_, i) => ({
    id: `U0BENCH${String(i).padStart(2, "0")}`,
    name: `u${i}`,
    realName: `User ${i}`,
  }));
  // The real app and core (router, audit rows on SQLite) with the `echo` test command.
  const h = await startHarness({
    mode: "socket",
    emulator: { seed: { channels, users }, rateLimits: { channelIntervalMs: INTERVAL_MS, perMinute: {} } },
    channelIntervalMs: INTERVAL_MS,
  });
  const { emu } = h;
  try {
    // Warm-up: identity lookups and connections.
    await Promise.all(users.map((u, i) => oneCommand(emu, channels[i]!.id, u.id, `warm-${i}`)));

    // Let every channel's pacing window from the previous phase pass, so phases do not bleed.
    const settle = () => new Promise((res) => setTimeout(res, INTERVAL_MS + 50));
    await settle();
    const single: number[] = [];
    for (let r = 0; r < 20; r += 1) {
      single.push(await oneCommand(emu, channels[r]!.id, users[0]!.id, `single-${r}`));
    }
    summary("roundtrip, 1 user, sequential (baseline)", single);

    await settle();
    const own: number[] = [];
    await Promise.all(
      users.map(async (u, i) => {
        // Users do not type in lockstep: spread their first command over one think time.
        await new Promise((res) => setTimeout(res, Math.random() * (INTERVAL_MS + 10)));
        for (let r = 0; r < ROUNDS; r += 1) {
          own.push(await oneCommand(emu, channels[i]!.id, u.id, `own-${i}-${r}`));
          await new Promise((res) => setTimeout(res, INTERVAL_MS + 10)); // a user's think time
        }
      }),
    );
    summary(`roundtrip, ${USERS} concurrent users, own channels (${ROUNDS} commands each)`, own);

    await settle();
    const shared: number[] = [];
    await Promise.all(
      users.map(async (u, i) => shared.push(await oneCommand(emu, channels[0]!.id, u.id, `shared-${i}`))),
    );
    summary(`roundtrip, ${USERS} concurrent users, one channel (paced at ${INTERVAL_MS} ms/post)`, shared);
    const late = emu.socket.acks.filter((a) => a.status !== "acked").length;
    console.log(`acks: ${emu.socket.acks.length} envelopes, ${late} late or missing`);
  } finally {
    await h.stop();
  }
}

async function throughput(): Promise<void> {
  const channels = seedChannels(10);
  const emu = await startSlackEmulator({
    seed: { channels },
    rateLimits: { channelIntervalMs: INTERVAL_MS, perMinute: {} },
  });
  const outbox = createOutbox({
    api: createSlackApi({ token: emu.botToken, slackApiUrl: emu.apiUrl }),
    channelIntervalMs: INTERVAL_MS,
  });
  try {
    const start = performance.now();
    const sends = [];
    for (let i = 0; i < 1000; i += 1) {
      const channel = channels[i % 10]!.id;
      sends.push(outbox.post(channel, reply(text(`burst ${channel} ${Math.floor(i / 10)}`))));
    }
    await Promise.all(sends);
    const elapsed = performance.now() - start;
    let inOrder = true;
    let minGap = Number.POSITIVE_INFINITY;
    for (const c of channels) {
      const texts = emu.workspace.channelMessages(c.id).map((m) => m.text);
      inOrder &&= texts.length === 100 && texts.every((t, k) => t === `burst ${c.id} ${k}`);
      const accepted = emu.calls.filter((x) => x.method === "chat.postMessage" && x.channel === c.id && x.ok);
      for (let k = 1; k < accepted.length; k += 1)
        minGap = Math.min(minGap, accepted[k]!.at - accepted[k - 1]!.at);
    }
    const delivered = emu.workspace.messages.length;
    const refused = emu.calls.filter((x) => x.status === 429).length;
    const allowedRate = (10 * 1000) / INTERVAL_MS;
    const rate = (delivered / elapsed) * 1000;
    console.log(
      `outbox burst: ${delivered}/1000 delivered to 10 channels in ${(elapsed / 1000).toFixed(2)} s ` +
        `(${rate.toFixed(1)} msg/s; limit ${allowedRate.toFixed(0)} msg/s → ${((rate / allowedRate) * 100).toFixed(1)}% of the allowed rate)`,
    );
    console.log(
      `outbox burst: in order per channel: ${inOrder}; smallest gap between posts to one channel: ${minGap} ms ` +
        `(limit ${INTERVAL_MS} ms); 429s provoked: ${refused}`,
    );
    if (!inOrder || delivered !== 1000 || minGap < INTERVAL_MS || refused > 0) process.exitCode = 1;
  } finally {
    outbox.close();
    await emu.stop();
  }
}

console.log(`Slack bench: per-channel interval ${INTERVAL_MS} ms (Slack: 1000 ms)`);
await roundtrip();
await throughput();
