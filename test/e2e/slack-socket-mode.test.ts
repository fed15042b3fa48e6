import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  appMention,
  blockAction,
  botOwnMessage,
  directMessage,
  slashCommand,
} from "../support/slack-emulator/index.js";
import { type Harness, startHarness } from "../support/slack-harness.js";

/** The real Bolt app in Socket Mode against the emulator: every entry point, end to end. */
describe("Slack app in Socket Mode", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      mode: "socket",
      yaml: "roles:\n  admin: [U0ALICE01]\n  operator: [S0ONCALL1]\n",
      emulator: {
        seed: { usergroups: { S0ONCALL1: ["U0BOB0001"] } },
        rateLimits: { channelIntervalMs: 1000 },
      },
    });
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
  });

  it("answers /ops in the channel after acknowledging within Slack's deadline", async () => {
    const { emu } = h;
    const ack = await emu.socket.deliver(
      "slash_commands",
      slashCommand({
        text: "echo status sw-core-1",
        channel: "C0OPS0001",
        responseUrl: emu.responseUrl("C0OPS0001", "U0ALICE01"),
      }),
    );
    expect(ack.status).toBe("acked");
    const answer = await emu.waitFor("slash reply", () =>
      emu.workspace.channelMessages("C0OPS0001").find((m) => m.text.includes("echo: status sw-core-1")),
    );
    expect(answer.via).toBe("response_url");
    expect(answer.visibleTo).toBeUndefined();
    expect(h.calls.at(-1)).toMatchObject({
      command: "echo",
      channel: "C0OPS0001",
      user: "U0ALICE01",
      roles: ["admin"],
    });
    const audit = h.core.services.audit.recent(1)[0]!;
    expect(audit).toMatchObject({
      transport: "slack",
      userId: "U0ALICE01",
      userName: "alice",
      outcome: "ok",
    });
  });

  it("answers only to the asking user when the reply is ephemeral", async () => {
    const { emu } = h;
    await emu.socket.deliver(
      "slash_commands",
      slashCommand({
        text: "whisper hi",
        user: "U0CAROL01",
        responseUrl: emu.responseUrl("C0OPS0001", "U0CAROL01"),
      }),
    );
    const m = await emu.waitFor("ephemeral reply", () =>
      emu.workspace.messages.find((x) => x.text.includes("psst hi")),
    );
    expect(m.visibleTo).toBe("U0CAROL01");
  });

  it("answers a mention in its thread, with the mention and Slack's link markup removed", async () => {
    const { emu } = h;
    const event = appMention({
      text: "<@U0OPSBOT1> echo ping <http://sw1.example.com|sw1.example.com> &amp; more",
      user: "U0BOB0001",
      channel: "C0ALERTS1",
    });
    await emu.socket.deliver("events_api", event);
    const mentionTs = (event.event as { ts: string }).ts;
    const answer = await emu.waitFor("threaded reply", () =>
      emu.workspace
        .channelMessages("C0ALERTS1", { threadTs: mentionTs })
        .find((m) => m.text.startsWith("echo:")),
    );
    expect(answer.text).toBe("echo: ping sw1.example.com &amp; more");
    expect(h.calls.at(-1)).toMatchObject({
      text: "ping sw1.example.com & more",
      threadTs: mentionTs,
      user: "U0BOB0001",
    });
  });

  it("answers a direct message in the DM", async () => {
    const { emu } = h;
    await emu.socket.deliver(
      "events_api",
      directMessage({ text: "echo uptime", user: "U0ALICE01", channel: "D0ALICE01" }),
    );
    const answer = await emu.waitFor("DM reply", () =>
      emu.workspace.channelMessages("D0ALICE01").find((m) => m.text === "echo: uptime"),
    );
    expect(answer.via).toBe("chat.postMessage");
    expect(answer.threadTs).toBeUndefined();
  });

  it("shows help filtered by role: user id, user group, and nobody", async () => {
    const { emu } = h;
    const helpFor = async (user: string, channel: string) => {
      const before = emu.workspace.messages.length;
      await emu.socket.deliver(
        "slash_commands",
        slashCommand({ text: "help", user, channel, responseUrl: emu.responseUrl(channel, user) }),
      );
      // Help for every command is long: the table is in the blocks (the text is only a fallback).
      const m = await emu.waitFor(`help for ${user}`, () =>
        emu.workspace.messages.slice(before).find((x) => x.text.includes("opsbot commands")),
      );
      // The blocks, not the fallback text: the fallback is cut at 3,000 characters and the list is longer.
      return JSON.stringify(m.blocks);
    };
    const admin = await helpFor("U0ALICE01", "C0OPS0001");
    const operator = await helpFor("U0BOB0001", "C0ALERTS1");
    const viewer = await helpFor("U0CAROL01", "D0ALICE01");
    expect(admin).toContain("mute");
    expect(admin).toContain("deploy");
    expect(operator).toContain("deploy");
    expect(operator).not.toContain("mute");
    expect(viewer).toContain("echo");
    expect(viewer).not.toContain("deploy");
    expect(viewer).not.toContain("mute");
    expect(emu.callsTo("usergroups.users.list").length).toBe(1); // cached
  });

  it("routes a button click with the clicking user from the payload and answers in the message's thread", async () => {
    const { emu } = h;
    const posted = await h.app.chat.post("C0OPS0001", { blocks: [{ type: "text", text: "Run 42 waits" }] });
    const ack = await emu.socket.deliver(
      "interactive",
      blockAction({
        actionId: "run.approve",
        value: "42",
        user: "U0BOB0001",
        channel: "C0OPS0001",
        messageTs: posted.ts,
        responseUrl: emu.responseUrl("C0OPS0001", "U0BOB0001"),
      }),
    );
    expect(ack.status).toBe("acked");
    const answer = await emu.waitFor("click reply", () =>
      emu.workspace
        .channelMessages("C0OPS0001", { threadTs: posted.ts })
        .find((m) => m.text.includes("run.approve")),
    );
    expect(answer.text).toBe("run.approve 42 by U0BOB0001");
    expect(h.calls.at(-1)).toMatchObject({
      command: "run.approve",
      user: "U0BOB0001",
      roles: ["operator"],
      messageTs: posted.ts,
    });
  });

  it("tells only the clicking user when they may not press a button, running no handler", async () => {
    const { emu } = h;
    const before = h.calls.length;
    await emu.socket.deliver(
      "interactive",
      blockAction({
        actionId: "run.approve",
        value: "42",
        user: "U0CAROL01",
        channel: "C0OPS0001",
        responseUrl: emu.responseUrl("C0OPS0001", "U0CAROL01"),
      }),
    );
    const denial = await emu.waitFor("denial", () =>
      emu.workspace.messages.find((m) => m.visibleTo === "U0CAROL01" && m.text.includes("operator role")),
    );
    expect(denial.via).toBe("response_url");
    expect(h.calls.length).toBe(before);
    expect(h.core.services.audit.recent(1)[0]).toMatchObject({
      userId: "U0CAROL01",
      kind: "action",
      outcome: "denied",
    });
  });

  it("ignores its own messages and handles a redelivered event once", async () => {
    const { emu } = h;
    const before = h.calls.length;
    await emu.socket.deliver("events_api", botOwnMessage({ text: "echo mine", channel: "D0ALICE01" }));
    const dm = directMessage({ text: "echo once", user: "U0ALICE01", channel: "D0ALICE01" });
    await emu.socket.deliver("events_api", dm);
    await emu.socket.deliver("events_api", dm, { retryAttempt: 1, retryReason: "timeout" });
    await emu.waitFor("reply to once", () =>
      emu.workspace.channelMessages("D0ALICE01").find((m) => m.text === "echo: once"),
    );
    // A third, later message proves the earlier deliveries were fully processed before we count.
    await emu.socket.deliver(
      "events_api",
      directMessage({ text: "echo marker", user: "U0ALICE01", channel: "D0ALICE01" }),
    );
    await emu.waitFor("marker", () =>
      emu.workspace.channelMessages("D0ALICE01").find((m) => m.text === "echo: marker"),
    );
    expect(h.calls.slice(before).map((c) => c.text)).toEqual(["once", "marker"]);
    expect(emu.workspace.channelMessages("D0ALICE01").filter((m) => m.text === "echo: once")).toHaveLength(1);
  });

  it("acknowledged every envelope in time", () => {
    expect(h.emu.socket.acks.length).toBeGreaterThan(8);
    expect(h.emu.socket.acks.filter((a) => a.status !== "acked")).toEqual([]);
  });
});
