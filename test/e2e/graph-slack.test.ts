import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriesTiers } from "../../src/management/history/retention.js";
import { createSeriesStore } from "../../src/management/history/series-store.js";
import { recordPoll } from "../../src/management/record-poll.js";
import { createStateRepo } from "../../src/management/state-repo.js";
import { observation, port } from "../support/mgmt-fixtures.js";
import { appMention } from "../support/slack-emulator/index.js";
import { type Harness, startHarness } from "../support/slack-harness.js";

/**
 * `graph` in Slack: the chart goes out through the outbox's three-step upload
 * (files.getUploadURLExternal → POST to the upload URL → files.completeUploadExternal) into the thread
 * of the mention, and what the emulator received decodes as the PNG.
 */
describe("graph through the Slack emulator's upload sequence", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      mode: "socket",
      yaml: "devices:\n  - { name: sw1, host: 127.0.0.1 }\n",
    });
    // An hour of polls of sw1 (fixture observations; the poll path from there on is the real one).
    const repo = createStateRepo(h.core.store);
    const config = h.core.services.config;
    const series = createSeriesStore({
      store: h.core.store,
      clock: h.core.services.clock,
      tiers: seriesTiers(config.retention.series),
    });
    const start = Date.now() - 3_600_000;
    for (let i = 0; i <= 12; i++) {
      const at = start + i * 300_000;
      const inOctets = BigInt(i) * 3_750_000_000n + BigInt((i % 3) * 500_000_000);
      recordPoll(
        h.core.store,
        repo,
        observation("sw1", at, {
          interfaces: [port(1, { alias: "uplink to dc1", inOctets, outOctets: inOctets / 2n })],
        }),
        series,
      );
    }
  }, 30_000);

  afterAll(async () => {
    await h?.stop();
  });

  it("uploads a decodable PNG into the mention's thread", async () => {
    const { emu } = h;
    const event = appMention({
      text: "<@U0OPSBOT1> graph sw1 uplink 1h",
      user: "U0BOB0001",
      channel: "C0ALERTS1",
    });
    await emu.socket.deliver("events_api", event);
    const threadTs = (event.event as { ts: string }).ts;
    const file = await emu.waitFor("chart uploaded", () =>
      [...emu.workspace.files.values()].find((f) => f.completed && f.filename.endsWith(".png")),
    );
    expect(file.filename).toBe("sw1-Gi1-0-1-1h.png");
    expect(file.channel).toBe("C0ALERTS1");
    expect(file.threadTs).toBe(threadTs);
    expect(file.title).toContain("sw1 Gi1/0/1 — uplink to dc1");
    const methods = emu.calls.map((c) => c.method).filter((m) => m.startsWith("files."));
    expect(methods).toEqual([
      "files.getUploadURLExternal",
      "files.upload_url",
      "files.completeUploadExternal",
    ]);
    const png = PNG.sync.read(file.bytes!);
    expect(png.width).toBe(800);
    expect(png.height).toBeGreaterThan(400);
    // The text part of the answer is in the same thread, with the sparkline.
    const text = await emu.waitFor("answer text", () =>
      emu.workspace.channelMessages("C0ALERTS1", { threadTs }).find((m) => m.text.includes("sw1 Gi1/0/1")),
    );
    expect(text.text).toMatch(/in [▁▂▃▄▅▆▇█ ]+/);
  });
});
