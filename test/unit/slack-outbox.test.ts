import { beforeEach, describe, expect, it } from "vitest";
import { reply, table, text } from "../../src/chat/reply.js";
import { createOutbox, type Outbox } from "../../src/chat/slack/outbox.js";
import {
  type SlackApi,
  SlackCallError,
  type SlackFailure,
  type SlackResult,
} from "../../src/chat/slack/slack-api.js";
import { ManualTimers } from "../support/slack-manual-timers.js";

interface Sent {
  method: string;
  args: Record<string, unknown>;
  at: number;
}

/** A scripted Slack: `failures` says how the next calls of a method fail; everything else succeeds. */
class FakeSlack implements SlackApi {
  readonly sent: Sent[] = [];
  readonly attempts: Sent[] = [];
  private readonly failures = new Map<string, SlackFailure[]>();
  private ts = 0;
  /** Calls resolve only when released (to hold a call "in flight"). */
  hold = false;
  private held: (() => void)[] = [];

  constructor(private readonly timers: ManualTimers) {}

  failNext(method: string, ...failures: SlackFailure[]): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...failures]);
  }

  release(): void {
    for (const r of this.held.splice(0)) r();
  }

  async call(method: string, args: Record<string, unknown>): Promise<SlackResult> {
    const entry = { method, args, at: this.timers.now() };
    this.attempts.push(entry);
    if (this.hold) await new Promise<void>((r) => this.held.push(r));
    const failure = this.failures.get(method)?.shift();
    if (failure) throw new SlackCallError(method, failure);
    this.sent.push(entry);
    this.ts += 1;
    if (method === "files.getUploadURLExternal")
      return { ok: true, upload_url: "https://files/up/F1", file_id: "F1" };
    return { ok: true, channel: args.channel, ts: `1767268800.${String(this.ts).padStart(6, "0")}` };
  }

  async postToUrl(label: string, url: string, body: string): Promise<void> {
    const entry = { method: label, args: { url, body }, at: this.timers.now() };
    this.attempts.push(entry);
    const failure = this.failures.get(label)?.shift();
    if (failure) throw new SlackCallError(label, failure);
    this.sent.push(entry);
  }

  texts(channel?: string): string[] {
    return this.sent
      .filter((s) => s.method === "chat.postMessage" && (channel === undefined || s.args.channel === channel))
      .map((s) => String(s.args.text));
  }
}

const rateLimited = (ms: number): SlackFailure => ({ kind: "rate_limited", retryAfterMs: ms });
const serverError: SlackFailure = { kind: "transient", detail: "HTTP 503" };

describe("outbox", () => {
  let timers: ManualTimers;
  let slack: FakeSlack;
  let outbox: Outbox;

  beforeEach(() => {
    timers = new ManualTimers();
    slack = new FakeSlack(timers);
    outbox = createOutbox({
      api: slack,
      timers,
      channelIntervalMs: 1000,
      backoffBaseMs: 1000,
      backoffMaxMs: 8000,
    });
  });

  it("spaces writes to one channel by the interval while other channels proceed in parallel", async () => {
    for (let i = 0; i < 3; i += 1) {
      void outbox.post("C1", reply(text(`c1-${i}`)));
      void outbox.post("C2", reply(text(`c2-${i}`)));
    }
    await timers.runFor(5000);
    expect(slack.texts("C1")).toEqual(["c1-0", "c1-1", "c1-2"]);
    expect(slack.texts("C2")).toEqual(["c2-0", "c2-1", "c2-2"]);
    const t0 = slack.sent[0]!.at;
    expect(slack.sent.filter((s) => s.args.channel === "C1").map((s) => s.at - t0)).toEqual([0, 1000, 2000]);
    expect(slack.sent.filter((s) => s.args.channel === "C2").map((s) => s.at - t0)).toEqual([0, 1000, 2000]);
  });

  it("keeps spacing across bursts: a post right after the lane emptied still waits", async () => {
    await Promise.all([outbox.post("C1", reply(text("a"))), timers.runFor(10)]);
    void outbox.post("C1", reply(text("b")));
    await timers.runFor(999 - 10);
    expect(slack.texts("C1")).toEqual(["a"]);
    await timers.runFor(20);
    expect(slack.texts("C1")).toEqual(["a", "b"]);
  });

  it("honours 429 Retry-After for the whole method and keeps each channel's order", async () => {
    slack.failNext("chat.postMessage", rateLimited(3000));
    const done = ["one", "two", "three"].map((t) => outbox.post("C1", reply(text(t))));
    await timers.runFor(0);
    void outbox.post("C2", reply(text("other")));
    await timers.runFor(2900);
    expect(slack.sent).toHaveLength(0); // C2 waits too: the limit is per method
    await timers.runFor(5000);
    await Promise.all(done);
    expect(slack.texts("C1")).toEqual(["one", "two", "three"]);
    expect(slack.texts("C2")).toEqual(["other"]);
    const first = slack.attempts[0]!.at;
    expect(slack.sent[0]!.at - first).toBeGreaterThanOrEqual(3000);
    expect(outbox.stats.rateLimited).toBe(1);
  });

  it("retries 5xx and network errors with exponential backoff, never dropping the message", async () => {
    slack.failNext("chat.postMessage", serverError, serverError, serverError, {
      kind: "transient",
      detail: "ECONNRESET",
    });
    const ref = outbox.post("C1", reply(text("important")));
    await timers.runFor(60_000);
    await expect(ref).resolves.toMatchObject({ channel: "C1" });
    const times = slack.attempts.map((a) => a.at - slack.attempts[0]!.at);
    expect(times).toEqual([0, 1000, 3000, 7000, 15000]);
    expect(slack.texts()).toEqual(["important"]);
  });

  it("keeps trying through a long outage (backoff capped)", async () => {
    slack.failNext("chat.postMessage", ...Array.from({ length: 30 }, () => serverError));
    const ref = outbox.post("C1", reply(text("eventually")));
    await timers.runFor(30 * 8000 + 1000);
    await expect(ref).resolves.toBeDefined();
    expect(slack.attempts).toHaveLength(31);
  });

  it("reports a permanent error to the caller and carries on with the next message", async () => {
    slack.failNext("chat.postMessage", { kind: "permanent", code: "channel_not_found", detail: "" });
    const bad = outbox.post("C1", reply(text("lost cause"))).catch((e: unknown) => e);
    const good = outbox.post("C1", reply(text("fine")));
    await timers.runFor(3000);
    expect(String(await bad)).toMatch(/channel_not_found/);
    await expect(good).resolves.toBeDefined();
    expect(slack.texts()).toEqual(["fine"]);
  });

  it("coalesces queued updates of one message: the latest content wins and every caller resolves", async () => {
    const ref = { channel: "C1", ts: "1767268800.000001" };
    void outbox.post("C1", reply(text("parent")));
    const updates = [1, 2, 3, 4, 5].map((i) => outbox.update(ref, reply(text(`step ${i}/5`))));
    await timers.runFor(5000);
    await Promise.all(updates);
    const sentUpdates = slack.sent.filter((s) => s.method === "chat.update");
    expect(sentUpdates.map((s) => s.args.text)).toEqual(["step 5/5"]);
    expect(outbox.stats.coalesced).toBe(4);
  });

  it("does not replace an update already in flight; the newer one follows it", async () => {
    const ref = { channel: "C1", ts: "1767268800.000001" };
    slack.hold = true;
    const first = outbox.update(ref, reply(text("v1")));
    await timers.runFor(0);
    const second = outbox.update(ref, reply(text("v2")));
    slack.hold = false;
    slack.release();
    await timers.runFor(3000);
    await Promise.all([first, second]);
    expect(slack.sent.filter((s) => s.method === "chat.update").map((s) => s.args.text)).toEqual([
      "v1",
      "v2",
    ]);
  });

  it("gives up on reads after a few attempts, and reads are not spaced or ordered", async () => {
    slack.failNext("users.info", serverError, serverError, serverError, serverError);
    const read = outbox.call("users.info", { user: "U1" }).catch((e: unknown) => e);
    const other = outbox.call("usergroups.users.list", { usergroup: "S1" });
    await timers.runFor(0);
    await expect(other).resolves.toMatchObject({ ok: true });
    await timers.runFor(60_000);
    expect(String(await read)).toMatch(/HTTP 503/);
    expect(slack.attempts.filter((a) => a.method === "users.info")).toHaveLength(4);
  });

  it("uploads a file in the channel's order without repeating finished steps on retry", async () => {
    slack.failNext("files.completeUploadExternal", serverError);
    void outbox.post("C1", reply(text("before")));
    const up = outbox.uploadFile("C1", { filename: "t.txt", content: "a\nb\n", title: "T" });
    void outbox.post("C1", reply(text("after")));
    await timers.runFor(10_000);
    await up;
    expect(slack.sent.map((s) => s.method)).toEqual([
      "chat.postMessage",
      "files.getUploadURLExternal",
      "files.upload",
      "files.completeUploadExternal",
      "chat.postMessage",
    ]);
    expect(slack.attempts.filter((a) => a.method === "files.upload")).toHaveLength(1);
    expect(slack.texts()).toEqual(["before", "after"]);
  });

  it("posts a long reply as several messages in order plus a file, returning the first message", async () => {
    const rows = Array.from({ length: 800 }, (_, i) => [`sw-${i}`, "up", "x".repeat(20)]);
    const ref = outbox.post("C1", reply(text("Interfaces:"), table(["device", "state", "note"], rows)));
    await timers.runFor(20_000);
    const posts = slack.sent.filter((s) => s.method === "chat.postMessage");
    expect(posts.length).toBeGreaterThanOrEqual(1);
    expect(slack.sent.some((s) => s.method === "files.completeUploadExternal")).toBe(true);
    await expect(ref).resolves.toMatchObject({ ts: "1767268800.000001" });
  });

  it("answers through a response_url in the channel or ephemerally", async () => {
    await Promise.all([
      outbox.respond("https://hooks/resp/1", "C1", reply(text("for all"))),
      outbox.respond("https://hooks/resp/2", "C1", { ...reply(text("just you")), ephemeral: true }),
      timers.runFor(3000),
    ]);
    const bodies = slack.sent
      .filter((s) => s.method === "response_url")
      .map((s) => JSON.parse(String(s.args.body)));
    expect(bodies.map((b) => [b.response_type, b.text])).toEqual([
      ["in_channel", "for all"],
      ["ephemeral", "just you"],
    ]);
  });

  it("tells the asker when a slash reply's file cannot be attached, without failing the answer", async () => {
    slack.failNext("files.completeUploadExternal", { kind: "permanent", code: "not_in_channel", detail: "" });
    const rows = Array.from({ length: 800 }, (_, i) => [`sw-${i}`, "up", "x".repeat(20)]);
    const done = outbox.respond(
      "https://hooks/resp/3",
      "C9",
      reply(table(["device", "state", "note"], rows)),
    );
    await timers.runFor(10_000);
    await done;
    const bodies = slack.sent
      .filter((s) => s.method === "response_url")
      .map((s) => JSON.parse(String(s.args.body)));
    expect(bodies.at(-1)).toMatchObject({ response_type: "ephemeral" });
    expect(bodies.at(-1).text).toMatch(/could not attach .*not_in_channel.*Invite @opsbot/);
  });

  it("rejects what is still queued when closed, and idle() resolves once everything is out", async () => {
    void outbox.post("C1", reply(text("a")));
    const b = outbox.post("C1", reply(text("b"))).catch((e: unknown) => e);
    await timers.runFor(0);
    outbox.close();
    expect(String(await b)).toMatch(/closed/);
    await outbox.idle();
  });
});
