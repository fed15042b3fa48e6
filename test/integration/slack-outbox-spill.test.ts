import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { reply, text } from "../../src/chat/reply.js";
import { createOutbox, type Outbox } from "../../src/chat/slack/outbox.js";
import { createStoredSpill } from "../../src/chat/slack/outbox-spill.js";
import { createSlackApi, type SlackApi } from "../../src/chat/slack/slack-api.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createStoreHealth, type StoreHealthState } from "../../src/store/faults.js";
import { openStore, type Store } from "../../src/store/store.js";
import { type SlackEmulator, startSlackEmulator } from "../support/slack-emulator/index.js";
import { tempDir } from "../support/temp.js";

/**
 * The outbox's memory bound and spill, with the real Web API client against the emulator and the spill
 * in a real SQLite file. Slack "down" is the emulator answering every chat.postMessage / chat.update
 * with 503 (what Slack's edge answers in an outage); it comes back with clearFaults().
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

async function setup() {
  const emu = await startSlackEmulator({ rateLimits: { channelIntervalMs: 0, perMinute: {} } });
  cleanups.push(() => emu.stop());
  const dir = tempDir();
  cleanups.push(() => dir.cleanup());
  const dbPath = join(dir.path, "opsbot.db");
  const store = openStore(dbPath);
  cleanups.push(() => store.close());
  return { emu, store, dbPath };
}

function outboxOn(
  emu: SlackEmulator,
  memory: { messages: number; hardMessages?: number },
  api: SlackApi = createSlackApi({ token: emu.botToken, slackApiUrl: emu.apiUrl }),
): Outbox {
  const outbox = createOutbox({
    api,
    channelIntervalMs: 0,
    backoffBaseMs: 20,
    backoffMaxMs: 100,
    logger: silentLogger(),
    memory: { bytes: 64 * 1024 * 1024, hardBytes: 128 * 1024 * 1024, ...memory },
  });
  cleanups.push(() => outbox.close());
  return outbox;
}

function slackDown(emu: SlackEmulator): void {
  emu.failNext("chat.postMessage", 1_000_000, 503);
  emu.failNext("chat.update", 1_000_000, 503);
}

/** The real client, counting the calls that have not been answered yet. */
function countingApi(emu: SlackEmulator): { api: SlackApi; unanswered: () => number } {
  const api = createSlackApi({ token: emu.botToken, slackApiUrl: emu.apiUrl });
  let unanswered = 0;
  return {
    unanswered: () => unanswered,
    api: {
      async call(method, args) {
        unanswered += 1;
        try {
          return await api.call(method, args);
        } finally {
          unanswered -= 1;
        }
      },
      postToUrl: (label, url, body, contentType) => api.postToUrl(label, url, body, contentType),
    },
  };
}

const rows = (store: Store) =>
  store.db.prepare("SELECT method, payload FROM slack_outbox_spill ORDER BY seq").all() as {
    method: string;
    payload: string;
  }[];

describe("Slack outbox: memory bound and spill", () => {
  it("beyond the bound messages wait in the store, updates coalesce there, and all arrive in order", async () => {
    const { emu, store } = await setup();
    const outbox = outboxOn(emu, { messages: 10 });
    outbox.attachSpill(createStoredSpill(store));
    const live = await outbox.post("C0OPS0001", reply(text("run 1: starting")));
    slackDown(emu);
    const sends = Array.from({ length: 100 }, (_, i) => outbox.post("C0OPS0001", reply(text(`reply #${i}`))));
    const updates = Array.from({ length: 5 }, (_, i) =>
      outbox.update(live, reply(text(`run 1: step ${i + 1}/5`))),
    );
    await emu.waitFor("Slack refusing", () => emu.calls.some((c) => c.status === 503));
    // 10 in memory at most; the other 90 posts and the (coalesced) update are in the store.
    expect(outbox.memory.messages).toBeLessThanOrEqual(10);
    expect(outbox.memory.spilled).toBe(91);
    const spilledUpdates = rows(store).filter((r) => r.method === "chat.update");
    expect(spilledUpdates).toHaveLength(1);
    expect(spilledUpdates[0]!.payload).toContain("run 1: step 5/5");

    emu.clearFaults();
    await Promise.all([...sends, ...updates]);
    const texts = emu.workspace.channelMessages("C0OPS0001").map((m) => m.text);
    expect(texts).toEqual(["run 1: step 5/5", ...Array.from({ length: 100 }, (_, i) => `reply #${i}`)]);
    expect(emu.callsTo("chat.update").filter((c) => c.ok)).toHaveLength(1);
    expect(rows(store)).toHaveLength(0);
    expect(outbox.memory).toMatchObject({ messages: 0, bytes: 0, spilled: 0 });
  }, 30_000);

  it("what is queued at stop is saved and delivered first, in order, by the next outbox on the same file", async () => {
    const { emu, store } = await setup();
    const client = countingApi(emu);
    const first = outboxOn(emu, { messages: 5 }, client.api);
    first.attachSpill(createStoredSpill(store));
    slackDown(emu);
    const sends = Array.from({ length: 40 }, (_, i) =>
      first.post(i % 2 ? "C0OPS0001" : "C0ALERTS1", reply(text(`before stop #${i}`))),
    );
    await emu.waitFor("Slack refusing", () => emu.calls.some((c) => c.status === 503));
    const saved = first.spillAll();
    expect(saved).toEqual({ saved: 40, lost: 0 });
    // The callers hear that their message waits for the next start (not that it was sent).
    for (const s of sends) await expect(s).rejects.toThrow(/saved and is delivered at the next start/);
    expect(rows(store)).toHaveLength(40);
    // A call already on the wire at the stop may still reach Slack: that message is saved too and may
    // arrive twice rather than never (documented). A real stop exits here; this process lives on, so
    // let those calls be refused by the Slack that is still down before bringing it back.
    await emu.waitFor("the calls in flight at the stop to be answered", () => client.unanswered() === 0);

    emu.clearFaults();
    const second = outboxOn(emu, { messages: 5 });
    expect(second.attachSpill(createStoredSpill(store))).toBe(40);
    // Queued right after start: it goes after what the last process saved.
    await second.post("C0OPS0001", reply(text("after restart")));
    await second.idle();
    const ops = emu.workspace.channelMessages("C0OPS0001").map((m) => m.text);
    const alerts = emu.workspace.channelMessages("C0ALERTS1").map((m) => m.text);
    expect(ops).toEqual([
      ...Array.from({ length: 20 }, (_, i) => `before stop #${2 * i + 1}`),
      "after restart",
    ]);
    expect(alerts).toEqual(Array.from({ length: 20 }, (_, i) => `before stop #${2 * i}`));
    expect(rows(store)).toHaveLength(0);
  }, 30_000);

  it("a full disk while spilling: messages stay in memory up to the hard bound, then the oldest thread replies are dropped, counted", async () => {
    const { emu, store } = await setup();
    const outbox = outboxOn(emu, { messages: 5, hardMessages: 20 });
    const health = createStoreHealth();
    const seen: StoreHealthState[] = [];
    health.onChange((s) => seen.push(s));
    outbox.attachSpill(createStoredSpill(store), health);
    slackDown(emu);
    // Cap the file at its current size: SQLite answers the next page it needs with SQLITE_FULL.
    const pages = store.db.pragma("page_count", { simple: true }) as number;
    store.db.pragma(`max_page_count = ${pages}`);
    const big = "x".repeat(8000); // a few rows fill the free pages the file already has
    const top = Array.from({ length: 10 }, (_, i) =>
      outbox.post("C0OPS0001", reply(text(`alert #${i} ${big}`))),
    );
    const thread = Array.from({ length: 30 }, (_, i) =>
      outbox.post("C0OPS0001", reply(text(`output #${i} ${big}`)), { threadTs: "1.000001" }),
    );
    await emu.waitFor("the fault to be seen", () => !health.state().ok);
    expect(health.state().reason).toMatch(/SQLITE_FULL/);
    expect(outbox.memory.messages).toBeLessThanOrEqual(20);
    const dropped = outbox.stats.dropped;
    expect(dropped).toBeGreaterThan(0);
    store.db.pragma("max_page_count = 1073741823");
    // The next spill succeeds again: the health recovers by itself.
    const late = outbox.post("C0OPS0001", reply(text("after the disk was freed")));
    emu.clearFaults();
    const settled = await Promise.allSettled([...top, ...thread, late]);
    await outbox.idle();
    // The callers of dropped messages hear so (never a silent loss).
    const refused = settled.filter((s) => s.status === "rejected");
    expect(refused).toHaveLength(dropped);
    for (const r of refused) expect(String((r as PromiseRejectedResult).reason)).toMatch(/dropped/);
    expect(seen.map((s) => s.ok)).toEqual([false, true]);
    // The dropped ones are the oldest thread replies; every top-level message is still there.
    const texts = emu.workspace
      .channelMessages("C0OPS0001")
      .map((m) => m.text.split(" ").slice(0, 2).join(" "));
    expect(texts.filter((t) => t.startsWith("alert"))).toEqual(
      Array.from({ length: 10 }, (_, i) => `alert #${i}`),
    );
    const outputs = texts.filter((t) => t.startsWith("output"));
    expect(outputs).toHaveLength(30 - dropped);
    // Oldest dropped first: what remains is the newest, still in order.
    expect(outputs).toEqual(Array.from({ length: 30 - dropped }, (_, i) => `output #${i + dropped}`));
    expect(store.db.pragma("integrity_check", { simple: true })).toBe("ok");
  }, 30_000);
});
