import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boltLogger } from "../../src/chat/slack/bolt-logger.js";
import { HardenedHttpReceiver } from "../../src/chat/slack/http-receiver.js";
import { readSlackSettings } from "../../src/chat/slack/settings.js";
import { systemClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import {
  botOwnMessage,
  directMessage,
  encodeForHttp,
  sendSigned,
  signRequest,
  slashCommand,
} from "../support/slack-emulator/index.js";
import { type Harness, startHarness, TEST_SIGNING_SECRET } from "../support/slack-harness.js";

/** HTTP mode: the real Bolt app behind opsbot's guard, fed signed requests as Slack sends them. */
describe("Slack app in HTTP mode", () => {
  let h: Harness;
  let url: string;
  const secret = TEST_SIGNING_SECRET;
  const nowSec = () => Math.floor(Date.now() / 1000);

  const command = (text: string) =>
    encodeForHttp(
      "slash_commands",
      slashCommand({ text: `echo ${text}`, responseUrl: h.emu.responseUrl("C0OPS0001", "U0ALICE01") }),
    );

  /** Sends a valid command and waits for its answer: after it, any earlier request has been fully handled. */
  async function marker(text: string): Promise<void> {
    const res = await sendSigned(url, command(text), { secret });
    expect(res.status).toBe(200);
    await h.emu.waitFor(text, () => h.emu.workspace.messages.find((m) => m.text === `echo: ${text}`));
  }

  beforeAll(async () => {
    h = await startHarness({ mode: "http", emulator: { rateLimits: { channelIntervalMs: 0 } } });
    url = h.eventsUrl!;
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
  });

  it("answers a correctly signed slash command", async () => {
    await marker("signed ok");
    expect(h.calls.map((c) => c.text)).toEqual(["signed ok"]);
  });

  it("rejects a bad signature, a 6-minute-old and a future timestamp, running no handler", async () => {
    const before = h.calls.length;
    const bad = await sendSigned(url, command("forged"), { secret, signature: `v0=${"0".repeat(64)}` });
    const wrongKey = await sendSigned(url, command("forged"), { secret: "not-the-secret" });
    const old = await sendSigned(url, command("old"), { secret, timestampSec: nowSec() - 6 * 60 });
    const future = await sendSigned(url, command("future"), { secret, timestampSec: nowSec() + 6 * 60 });
    expect([bad.status, wrongKey.status, old.status, future.status]).toEqual([401, 401, 401, 401]);
    await marker("after rejects");
    expect(h.calls.slice(before).map((c) => c.text)).toEqual(["after rejects"]);
  });

  it("rejects a replayed request (same signature, within the window)", async () => {
    const before = h.calls.length;
    const delivery = command("only once");
    const ts = nowSec();
    const first = await sendSigned(url, delivery, { secret, timestampSec: ts });
    const replay = await sendSigned(url, delivery, { secret, timestampSec: ts });
    expect([first.status, replay.status]).toEqual([200, 401]);
    await marker("after replay");
    expect(h.calls.slice(before).map((c) => c.text)).toEqual(["only once", "after replay"]);
  });

  it("acknowledges Slack's retry of an event it already handled without handling it again", async () => {
    const before = h.calls.length;
    const event = encodeForHttp("events_api", directMessage({ text: "echo retried", channel: "D0ALICE01" }));
    const first = await sendSigned(url, event, { secret });
    const retry = await sendSigned(url, event, {
      secret,
      timestampSec: nowSec() + 1,
      headers: { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" },
    });
    expect([first.status, retry.status]).toEqual([200, 200]);
    await marker("after retry");
    expect(h.calls.slice(before).map((c) => c.text)).toEqual(["retried", "after retry"]);
  });

  it("answers ssl_check with a smuggled payload without running anything", async () => {
    const before = h.calls.length;
    const smuggled = new URLSearchParams({
      ssl_check: "1",
      token: "x",
      command: "/ops",
      text: "echo smuggled",
      user_id: "U0ALICE01",
      channel_id: "C0OPS0001",
      response_url: h.emu.responseUrl("C0OPS0001", "U0ALICE01"),
    }).toString();
    // Unsigned, as Slack's certificate probe is; and signed with garbage, to be sure neither path leaks.
    const unsigned = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: smuggled,
    });
    const withPayload = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        ...signRequest("wrong", smuggled, nowSec()),
      },
      body: `${smuggled}&payload=${encodeURIComponent(JSON.stringify({ type: "block_actions" }))}`,
    });
    expect([unsigned.status, withPayload.status]).toEqual([200, 200]);
    await marker("after ssl_check");
    expect(h.calls.slice(before).map((c) => c.text)).toEqual(["after ssl_check"]);
  });

  it("ignores its own messages", async () => {
    const before = h.calls.length;
    const own = await sendSigned(url, encodeForHttp("events_api", botOwnMessage({ text: "echo mine" })), {
      secret,
    });
    expect(own.status).toBe(200);
    await marker("after own");
    expect(h.calls.slice(before).map((c) => c.text)).toEqual(["after own"]);
  });

  it("refuses to boot with an empty signing secret, naming the variable", () => {
    expect(() =>
      readSlackSettings({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "", PORT: "3000" }),
    ).toThrow(/^SLACK_SIGNING_SECRET is empty: copy the Signing Secret from https:\/\/api\.slack\.com\/apps/);
    expect(
      () =>
        new HardenedHttpReceiver({
          signingSecret: "",
          port: 0,
          clock: systemClock,
          logger: silentLogger(),
          boltLogger: boltLogger(silentLogger()),
        }),
    ).toThrow(/SLACK_SIGNING_SECRET is empty/);
  });
});
