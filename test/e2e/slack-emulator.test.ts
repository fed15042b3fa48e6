import { SocketModeReceiver, webApi } from "@slack/bolt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type SlackEmulator,
  signRequest,
  slashCommand,
  startSlackEmulator,
} from "../support/slack-emulator/index.js";

const { WebClient } = webApi;

/** The emulator is a test tool, but tests trust it: pin the Slack behaviour it claims to have. */
describe("slack emulator", () => {
  let emu: SlackEmulator;
  let client: InstanceType<typeof WebClient>;

  beforeEach(async () => {
    emu = await startSlackEmulator({ rateLimits: { channelIntervalMs: 1000 } });
    client = new WebClient(emu.botToken, {
      slackApiUrl: emu.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
  });
  afterEach(async () => {
    await emu.stop();
  });

  it("answers auth.test for the bot token and refuses other tokens", async () => {
    const me = await client.auth.test();
    expect(me.user_id).toBe("U0OPSBOT1");
    expect(me.bot_id).toBe("B0OPSBOT1");
    const stranger = new WebClient("xoxb-wrong", { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } });
    await expect(stranger.auth.test()).rejects.toMatchObject({ data: { error: "invalid_auth" } });
    const appClient = new WebClient(emu.appToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } });
    await expect(appClient.chat.postMessage({ channel: "C0OPS0001", text: "x" })).rejects.toMatchObject({
      data: { error: "not_allowed_token_type" },
    });
    expect(emu.calls.map((c) => c.method)).toEqual(["auth.test", "auth.test", "chat.postMessage"]);
  });

  it("posts and updates messages; a second write to a channel within a second gets 429 with Retry-After", async () => {
    const posted = await client.chat.postMessage({ channel: "C0OPS0001", text: "hello" });
    await expect(
      client.chat.update({ channel: "C0OPS0001", ts: posted.ts!, text: "too soon" }),
    ).rejects.toMatchObject({
      code: "slack_webapi_rate_limited_error",
      retryAfter: 1,
    });
    expect(emu.calls.at(-1)).toMatchObject({ method: "chat.update", status: 429, retryAfterSec: 1 });
    await new Promise((r) => setTimeout(r, 1050));
    await client.chat.update({ channel: "C0OPS0001", ts: posted.ts!, text: "hello again" });
    expect(emu.workspace.channelMessages("C0OPS0001").map((m) => [m.text, m.updates])).toEqual([
      ["hello again", 1],
    ]);
    // Other channels are not held back by this one.
    await client.chat.postMessage({ channel: "C0ALERTS1", text: "elsewhere" });
  });

  it("rejects messages over Slack's Block Kit limits", async () => {
    const tooMany = Array.from({ length: 51 }, () => ({ type: "divider" }));
    await expect(
      client.chat.postMessage({ channel: "C0ALERTS1", text: "x", blocks: tooMany }),
    ).rejects.toMatchObject({
      data: { error: "invalid_blocks" },
    });
    const long = [{ type: "section", text: { type: "mrkdwn", text: "x".repeat(3001) } }];
    await expect(
      client.chat.postMessage({ channel: "C0OPS0001", text: "x", blocks: long }),
    ).rejects.toMatchObject({
      data: { error: "invalid_blocks" },
    });
    expect(emu.workspace.messages).toHaveLength(0);
  });

  it("injects 5xx faults and rate limits on demand", async () => {
    emu.failNext("users.info", 1, 503);
    await expect(client.users.info({ user: "U0ALICE01" })).rejects.toMatchObject({
      code: "slack_webapi_http_error",
    });
    const alice = await client.users.info({ user: "U0ALICE01" });
    expect(alice.user?.real_name).toBe("Alice Admin");
    emu.rateLimitNext("users.info", 1, 7);
    await expect(client.users.info({ user: "U0ALICE01" })).rejects.toMatchObject({ retryAfter: 7 });
  });

  it("runs the external file upload sequence", async () => {
    const content = "a | b\n1 | 2\n";
    const url = await client.files.getUploadURLExternal({ filename: "t.txt", length: content.length });
    const up = await fetch(url.upload_url!, { method: "POST", body: content });
    expect(up.status).toBe(200);
    await client.files.completeUploadExternal({
      files: [{ id: url.file_id!, title: "table" }],
      channel_id: "C0OPS0001",
    });
    expect(emu.workspace.files.get(url.file_id!)).toMatchObject({
      content,
      channel: "C0OPS0001",
      completed: true,
    });
  });

  it("serves usergroups, users and conversations", async () => {
    emu.workspace.usergroups.set("S0ONCALL1", ["U0BOB0001"]);
    expect((await client.usergroups.users.list({ usergroup: "S0ONCALL1" })).users).toEqual(["U0BOB0001"]);
    expect((await client.conversations.open({ users: "U0BOB0001" })).channel?.id).toBe("D0BOB0001");
    expect((await client.conversations.info({ channel: "C0OPS0001" })).channel?.name).toBe("ops");
  });

  it("delivers Socket Mode envelopes after hello and records acks and missed acks", async () => {
    const receiver = new SocketModeReceiver({
      appToken: emu.appToken,
      installerOptions: { clientOptions: { slackApiUrl: emu.apiUrl } },
      autoReconnectEnabled: false,
    });
    const sm = receiver.client;
    let ackNext = true;
    sm.on("slash_commands", async ({ ack }: { ack: (r?: unknown) => Promise<void> }) => {
      if (ackNext) await ack({ text: "on it" });
    });
    await sm.start();
    await emu.socket.waitForConnection();
    const payload = slashCommand({ text: "help", responseUrl: emu.responseUrl("C0OPS0001", "U0ALICE01") });
    const acked = await emu.socket.deliver("slash_commands", payload);
    expect(acked).toMatchObject({ status: "acked", ackPayload: { text: "on it" } });
    ackNext = false;
    const missed = await emu.socket.deliver("slash_commands", payload);
    expect(missed.status).toBe("missing");
    await sm.disconnect();
  });

  it("signs HTTP-mode requests with Slack's v0 scheme", () => {
    const h = signRequest("8f742231b10e8888abcd99yyyzzz85a5", "token=abc&text=hi", 1531420618);
    expect(h["x-slack-request-timestamp"]).toBe("1531420618");
    expect(h["x-slack-signature"]).toMatch(/^v0=[0-9a-f]{64}$/);
  });
});
