import { describe, expect, it } from "vitest";
import { DeliveryDedup, deliveryKey } from "../../src/chat/slack/delivery-dedup.js";
import { checkHttpRequest } from "../../src/chat/slack/http-guard.js";
import { createSlackIdentity } from "../../src/chat/slack/identity.js";
import { normalizeIncomingText } from "../../src/chat/slack/incoming-text.js";
import { readSlackSettings } from "../../src/chat/slack/settings.js";
import { ManualClock } from "../../src/lib/clock.js";
import { signRequest } from "../support/slack-emulator/signer.js";

describe("Slack settings", () => {
  const bot = "xoxb-1-2-abc";
  const app = "xapp-1-A1-xyz";

  it("stays off when no Slack variable is set", () => {
    expect(readSlackSettings({ PORT: "3000" })).toBeUndefined();
  });

  it("uses Socket Mode by default and HTTP mode with a signing secret and port", () => {
    expect(readSlackSettings({ SLACK_BOT_TOKEN: bot, SLACK_APP_TOKEN: app })).toEqual({
      mode: "socket",
      botToken: bot,
      appToken: app,
    });
    expect(readSlackSettings({ SLACK_BOT_TOKEN: bot, SLACK_SIGNING_SECRET: "s3cret", PORT: "3000" })).toEqual(
      {
        mode: "http",
        botToken: bot,
        signingSecret: "s3cret",
        port: 3000,
      },
    );
    expect(
      readSlackSettings({
        SLACK_BOT_TOKEN: bot,
        SLACK_APP_TOKEN: app,
        SLACK_API_URL: "http://127.0.0.1:9/api",
      }),
    ).toMatchObject({
      apiUrl: "http://127.0.0.1:9/api/",
    });
  });

  it.each([
    [{ SLACK_APP_TOKEN: app }, /^SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token/],
    [{ SLACK_BOT_TOKEN: "", SLACK_APP_TOKEN: app }, /^SLACK_BOT_TOKEN is empty/],
    [
      { SLACK_BOT_TOKEN: bot },
      /^SLACK_APP_TOKEN is not set: create an app-level token .*connections:write.*HTTP mode/,
    ],
    [{ SLACK_BOT_TOKEN: bot, SLACK_APP_TOKEN: "  " }, /^SLACK_APP_TOKEN is empty/],
    [{ SLACK_BOT_TOKEN: app, SLACK_APP_TOKEN: bot }, /^SLACK_BOT_TOKEN must start with xoxb-/],
    [
      { SLACK_BOT_TOKEN: bot, SLACK_SIGNING_SECRET: "" },
      /^SLACK_SIGNING_SECRET is empty: copy the Signing Secret/,
    ],
    [{ SLACK_BOT_TOKEN: bot, SLACK_SIGNING_SECRET: "s" }, /^PORT is not set/],
    [{ SLACK_BOT_TOKEN: bot, SLACK_SIGNING_SECRET: "s", PORT: "http" }, /^PORT must be a number/],
    [
      { SLACK_BOT_TOKEN: bot, SLACK_APP_TOKEN: app, SLACK_API_URL: "ftp://x" },
      /^SLACK_API_URL must be an http/,
    ],
  ])("refuses %j with one sentence naming the variable", (env, message) => {
    expect(() => readSlackSettings(env)).toThrow(message);
  });
});

describe("HTTP guard", () => {
  const secret = "8f742231b10e8888abcd99yyyzzz85a5";
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const nowSec = Math.floor(clock.now() / 1000);
  const body = "token=x&command=%2Fops&text=help";
  const input = (ts: number, b = body, sign = secret) => {
    const h = signRequest(sign, b, ts);
    return {
      contentType: "application/x-www-form-urlencoded",
      rawBody: b,
      signature: h["x-slack-signature"],
      timestamp: h["x-slack-request-timestamp"],
      nowMs: clock.now(),
    };
  };

  it("passes a fresh, correctly signed request once and rejects its replay", () => {
    const replays = new DeliveryDedup(clock);
    expect(checkHttpRequest(input(nowSec), secret, replays)).toEqual({ action: "pass" });
    expect(checkHttpRequest(input(nowSec), secret, replays)).toMatchObject({
      action: "reject",
      reason: "replayed request",
    });
  });

  it.each([
    ["stale", nowSec - 301, "stale request timestamp"],
    ["future", nowSec + 301, "request timestamp in the future"],
  ])("rejects a %s timestamp", (_, ts, reason) => {
    expect(checkHttpRequest(input(ts), secret, new DeliveryDedup(clock))).toMatchObject({
      status: 401,
      reason,
    });
  });

  it("rejects a wrong key, a tampered body, a missing signature and an empty secret", () => {
    const d = new DeliveryDedup(clock);
    expect(checkHttpRequest(input(nowSec, body, "other"), secret, d)).toMatchObject({
      reason: "signature mismatch",
    });
    expect(checkHttpRequest({ ...input(nowSec), rawBody: `${body}x` }, secret, d)).toMatchObject({
      reason: "signature mismatch",
    });
    expect(checkHttpRequest({ ...input(nowSec), signature: undefined }, secret, d)).toMatchObject({
      action: "reject",
    });
    expect(checkHttpRequest(input(nowSec), "", d)).toMatchObject({ action: "reject" });
  });

  it("treats any ssl_check=1 form as the certificate probe, whatever else it carries", () => {
    const probe = {
      ...input(nowSec, "ssl_check=1&command=%2Fops&text=run+x"),
      signature: undefined,
      timestamp: undefined,
    };
    expect(checkHttpRequest(probe, secret, new DeliveryDedup(clock))).toEqual({ action: "ssl_check" });
  });
});

describe("delivery dedup", () => {
  it("remembers keys for the TTL and evicts the oldest beyond its bound", () => {
    const clock = new ManualClock();
    const d = new DeliveryDedup(clock, 1000, 3);
    expect(d.checkAndRecord("a")).toBe(false);
    expect(d.checkAndRecord("a")).toBe(true);
    clock.advance(1001);
    expect(d.checkAndRecord("a")).toBe(false);
    for (const k of ["b", "c", "d"]) d.checkAndRecord(k);
    expect(d.size).toBe(3);
    expect(d.checkAndRecord("a")).toBe(false); // evicted
    expect(deliveryKey({ event_id: "Ev1" })).toBe("event:Ev1");
    expect(deliveryKey({ trigger_id: "1.2.3" })).toBe("trigger:1.2.3");
    expect(deliveryKey({})).toBeUndefined();
  });
});

describe("Slack identity", () => {
  function setup(groups: Record<string, string[] | Error>) {
    const clock = new ManualClock();
    const calls: string[] = [];
    const identity = createSlackIdentity({
      config: {
        roles: {
          admin: ["U0ALICE01"],
          operator: ["S0ONCALL1", "alice-console"],
          viewer: ["S0VIEWERS", "bob"],
        },
      },
      clock,
      groupTtlMs: 60_000,
      call: async (method, args) => {
        calls.push(`${method}:${String(args.usergroup ?? args.user)}`);
        if (method === "users.info")
          return { ok: true, user: { name: "bob", profile: { display_name: "Bob" } } };
        const g = groups[String(args.usergroup)];
        if (g instanceof Error) throw g;
        return { ok: true, users: g ?? [] };
      },
    });
    return { clock, calls, identity };
  }

  it("maps user ids and user-group members to roles (never display names), caching groups for the TTL", async () => {
    const groups: Record<string, string[] | Error> = { S0ONCALL1: ["U0BOB0001"], S0VIEWERS: [] };
    const { clock, calls, identity } = setup(groups);
    expect(await identity.resolve("U0ALICE01")).toMatchObject({ id: "U0ALICE01", roles: ["admin"] });
    expect(await identity.resolve("U0BOB0001")).toEqual({
      id: "U0BOB0001",
      name: "Bob",
      roles: ["operator"],
    });
    expect(calls.filter((c) => c.startsWith("usergroups")).length).toBe(2);
    groups.S0ONCALL1 = [];
    expect((await identity.resolve("U0BOB0001")).roles).toEqual(["operator"]); // still cached
    clock.advance(60_001);
    expect((await identity.resolve("U0BOB0001")).roles).toEqual([]);
  });

  it("never grants a role because a lookup failed", async () => {
    const { identity } = setup({ S0ONCALL1: new Error("HTTP 503"), S0VIEWERS: new Error("HTTP 503") });
    expect((await identity.resolve("U0BOB0001")).roles).toEqual([]);
  });

  it("ignores ids that are not Slack user ids, whatever the config says", async () => {
    const { identity, calls } = setup({});
    expect(await identity.resolve("alice-console")).toEqual({
      id: "alice-console",
      name: "alice-console",
      roles: [],
    });
    expect(calls).toEqual([]);
  });
});

describe("incoming text", () => {
  it.each([
    ["<@U0OPSBOT1> links down", "links down"],
    ["<@U0OPSBOT1>: help", "help"],
    ["status <http://sw1.example.com|sw1.example.com>", "status sw1.example.com"],
    ["poll <https://10.0.0.1>", "poll https://10.0.0.1"],
    ["notify <#C0OPS0001|ops> <mailto:a@b.c|a@b.c>", "notify #ops a@b.c"],
    ["run x note=a&amp;b &lt;c&gt;", "run x note=a&b <c>"],
    ["run x msg=\u201chello world\u201d", 'run x msg="hello world"'],
    ["ask <@U0BOB0001>", "ask <@U0BOB0001>"],
  ])("%s → %s", (input, expected) => {
    expect(normalizeIncomingText(input, "U0OPSBOT1")).toBe(expected);
  });
});
