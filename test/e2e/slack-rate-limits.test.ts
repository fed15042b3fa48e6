import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reply, text } from "../../src/chat/reply.js";
import { createOutbox, type Outbox } from "../../src/chat/slack/outbox.js";
import { createSlackApi } from "../../src/chat/slack/slack-api.js";
import { type SlackEmulator, startSlackEmulator } from "../support/slack-emulator/index.js";

/** The outbox with the real Web API client against the emulator's rate limits and injected storms. */
describe("Slack outbox under a 429 storm", () => {
  let emu: SlackEmulator;
  let outbox: Outbox;
  const channels = ["C0OPS0001", "C0ALERTS1", "D0ALICE01"];

  beforeAll(async () => {
    emu = await startSlackEmulator({
      rateLimits: { channelIntervalMs: 1000, perMinute: { "chat.postMessage": 600, "chat.update": 50 } },
    });
    outbox = createOutbox({
      api: createSlackApi({ token: emu.botToken, slackApiUrl: emu.apiUrl }),
      channelIntervalMs: 1000,
      backoffBaseMs: 200,
    });
  });
  afterAll(async () => {
    outbox?.close();
    await emu?.stop();
  });

  it("delivers every message, in order per channel, never faster than the limits", async () => {
    emu.rateLimitNext("chat.postMessage", 5, 1);
    emu.failNext("chat.postMessage", 2, 503);
    const sends = channels.flatMap((channel) =>
      Array.from({ length: 5 }, (_, i) => outbox.post(channel, reply(text(`${channel} #${i}`)))),
    );
    const refs = await Promise.all(sends);
    expect(refs).toHaveLength(15);

    for (const channel of channels) {
      expect(emu.workspace.channelMessages(channel).map((m) => m.text)).toEqual(
        Array.from({ length: 5 }, (_, i) => `${channel} #${i}`),
      );
      const accepted = emu.calls.filter(
        (c) => c.method === "chat.postMessage" && c.channel === channel && c.ok,
      );
      for (let i = 1; i < accepted.length; i += 1) {
        expect(accepted[i]!.at - accepted[i - 1]!.at).toBeGreaterThanOrEqual(1000);
      }
    }
    // Exactly the injected 429s: the outbox's own pacing never tripped the emulator's limits.
    const refused = emu.calls.filter((c) => c.status === 429);
    expect(refused).toHaveLength(5);
    expect(emu.calls.filter((c) => c.status === 503)).toHaveLength(2);
    expect(outbox.stats.rateLimited).toBe(refused.length);
  }, 60_000);

  it("coalesces a burst of progress updates into a few chat.update calls, ending on the latest", async () => {
    const ref = await outbox.post("C0OPS0001", reply(text("run 7: starting")));
    const before = emu.callsTo("chat.update").length;
    const updates = Array.from({ length: 30 }, (_, i) =>
      outbox.update(ref, reply(text(`run 7: step ${i + 1}/30`))),
    );
    await Promise.all(updates);
    const calls = emu
      .callsTo("chat.update")
      .slice(before)
      .filter((c) => c.ok);
    expect(calls.length).toBeLessThanOrEqual(3);
    expect(emu.workspace.channelMessages("C0OPS0001").find((m) => m.ts === ref.ts)?.text).toBe(
      "run 7: step 30/30",
    );
  }, 60_000);
});
