import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  encodeForHttp,
  sendSigned,
  slashCommand,
  startSlackEmulator,
} from "../support/slack-emulator/index.js";
import { type Harness, startHarness, TEST_SIGNING_SECRET } from "../support/slack-harness.js";
import { tempDir } from "../support/temp.js";

/**
 * A signed request captured by an attacker and replayed after opsbot restarted (within Slack's
 * five-minute window) must run nothing: the replay memory lives in the store, not only in the process.
 */
describe("Slack HTTP mode: replay across a restart", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  it("a request replayed after a restart is refused and runs no handler", async () => {
    const emu = await startSlackEmulator({ rateLimits: { channelIntervalMs: 0 } });
    cleanups.push(() => emu.stop());
    const dir = tempDir();
    cleanups.push(() => dir.cleanup());
    const dbPath = join(dir.path, "opsbot.db");

    const first: Harness = await startHarness({ mode: "http", emu, dbPath });
    const delivery = encodeForHttp(
      "slash_commands",
      slashCommand({ text: "echo captured", responseUrl: emu.responseUrl("C0OPS0001", "U0ALICE01") }),
    );
    const ts = Math.floor(Date.now() / 1000);
    const original = await sendSigned(first.eventsUrl!, delivery, {
      secret: TEST_SIGNING_SECRET,
      timestampSec: ts,
    });
    expect(original.status).toBe(200);
    await emu.waitFor("the original", () => emu.workspace.messages.find((m) => m.text === "echo: captured"));
    expect(first.calls.map((c) => c.text)).toEqual(["captured"]);
    await first.stop();

    const second: Harness = await startHarness({ mode: "http", emu, dbPath });
    cleanups.push(() => second.stop());
    const replay = await sendSigned(second.eventsUrl!, delivery, {
      secret: TEST_SIGNING_SECRET,
      timestampSec: ts,
    });
    expect(replay.status).toBe(401);
    // A fresh request after the replay is handled: once it is, the replay would have been too.
    const fresh = encodeForHttp(
      "slash_commands",
      slashCommand({ text: "echo fresh", responseUrl: emu.responseUrl("C0OPS0001", "U0ALICE01") }),
    );
    expect((await sendSigned(second.eventsUrl!, fresh, { secret: TEST_SIGNING_SECRET })).status).toBe(200);
    await emu.waitFor("the fresh one", () => emu.workspace.messages.find((m) => m.text === "echo: fresh"));
    expect(second.calls.map((c) => c.text)).toEqual(["fresh"]);
    expect(emu.workspace.messages.filter((m) => m.text === "echo: captured")).toHaveLength(1);
  });
});
