import { afterEach, describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { configSchema } from "../../src/config/schema.js";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { Redactor } from "../../src/lib/redact.js";
import { createAlertService } from "../../src/management/alerts/service.js";
import type { DeviceObservation } from "../../src/management/observations.js";
import { recordPoll } from "../../src/management/record-poll.js";
import { drive, observation, port, registration, seededRepo, tempStore } from "../support/mgmt-fixtures.js";
import { RecordingChat } from "../support/recording-chat.js";

/**
 * Rules whose inputs the lab agent cannot change (error counters, RAID arrays): polls recorded through the
 * poller's own write path (recordPoll, real SQLite) from observations, then the alert engine.
 */
const MIN = 60_000;
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function setup() {
  const t = tempStore();
  cleanup = t.cleanup;
  const repo = seededRepo(t.store, [registration("sw1", { tags: ["network"] }), registration("nas1")]);
  const clock = new ManualClock();
  const chat = new RecordingChat();
  const config = configSchema.parse({
    alerts: {
      default_channel: "C-OPS",
      ports: { explicit: ["sw1:Gi1/0/1"] },
      rules: { error_rate: { threshold: 100, clear_threshold: 10 } },
    },
    firmware_baselines: { "C9300-*": { min: "17.9.4" } },
    devices: [
      { name: "sw1", host: "127.0.0.1", tags: ["network"] },
      { name: "nas1", host: "127.0.0.1" },
    ],
  });
  const alerts = createAlertService({ store: t.store, clock, chat, config, logger: silentLogger() });
  const poll = async (obs: DeviceObservation) => {
    clock.set(obs.at);
    recordPoll(t.store, repo, obs);
    await alerts.process();
  };
  const top = () => chat.posts.filter((p) => !p.threadTs);
  const thread = (ts: string) =>
    chat.posts.filter((p) => p.threadTs === ts).map((p) => replyToPlainText(p.reply));
  return { chat, poll, top, thread, t0: clock.now(), alerts, store: t.store, clock, config };
}

describe("alerts from recorded polls", () => {
  it("interface error rate: raises above the threshold, holds between, clears below the lower one", async () => {
    const s = setup();
    const errs = (n: number, at: number) =>
      observation("sw1", at, { interfaces: [port(1, { inErrors: n }), port(2, { inErrors: n * 10 })] });
    await s.poll(errs(0, s.t0));
    await s.poll(errs(1000, s.t0 + 5 * MIN)); // 200/min on Gi1/0/1 (Gi1/0/2 is not watched)
    expect(s.top()).toHaveLength(1);
    const msg = s.top()[0]!;
    expect(replyToPlainText(msg.reply)).toContain("Interface errors — sw1");
    expect(replyToPlainText(msg.reply)).toContain("Gi1/0/1 — 200 errors/min");
    expect(replyToPlainText(msg.reply)).not.toContain("Gi1/0/2");
    await s.poll(errs(1250, s.t0 + 10 * MIN)); // 50/min: between the thresholds, still open
    expect(s.thread(msg.ts)).toEqual([]);
    await s.poll(errs(1260, s.t0 + 15 * MIN)); // 2/min: clears
    expect(s.thread(msg.ts).join("\n")).toContain("Gi1/0/1 recovered after 10m 0s");
  });

  it("RAID degraded and a failed drive: one message each, by rule", async () => {
    const s = setup();
    const disks = (array: "ok" | "failed", disk: "ok" | "warning" | "failed", at: number) =>
      observation("nas1", at, {
        drives: {
          sources: ["synology"],
          items: [
            drive("raid:1", { kind: "array", source: "synology", status: array, rawStatus: array }),
            drive("disk:3", { source: "synology", status: disk, rawStatus: disk }),
          ],
        },
      });
    await s.poll(disks("ok", "ok", s.t0));
    await s.poll(disks("failed", "warning", s.t0 + 5 * MIN));
    const texts = s.top().map((p) => replyToPlainText(p.reply));
    expect(texts).toHaveLength(2);
    expect(texts.join("\n")).toContain("RAID degraded — nas1");
    expect(texts.join("\n")).toContain("Drive problem — nas1");
    await s.poll(disks("failed", "failed", s.t0 + 10 * MIN)); // worse: the drive message is updated
    expect(s.top()).toHaveLength(2);
    expect(replyToPlainText(s.chat.updates.at(-1)!.reply)).toContain("disk:3 — failed");
  });

  it("an ack from another process (one-shot CLI) is stored, and the running engine renders it", async () => {
    const s = setup();
    const errs = (n: number, at: number) =>
      observation("sw1", at, { interfaces: [port(1, { inErrors: n })] });
    await s.poll(errs(0, s.t0));
    await s.poll(errs(1000, s.t0 + 5 * MIN));
    const msg = s.top()[0]!;
    const cli = new RecordingChat();
    const oneShot = createAlertService({
      store: s.store,
      clock: s.clock,
      chat: cli,
      config: s.config,
      logger: silentLogger(),
    });
    const [open] = oneShot.list("sw1");
    await oneShot.ack(open!.id, { id: "carol", name: "carol", roles: ["oncall"] });
    expect(cli.posts).toHaveLength(0); // the CLI delivers nothing and consumes no change-log rows
    expect(cli.updates).toHaveLength(0);
    await s.alerts.process();
    expect(replyToPlainText(s.chat.updates.at(-1)!.reply)).toContain("acked by carol");
    expect(s.thread(msg.ts).join("\n")).toContain("acked by carol");
  });

  it("firmware: a change is announced once; drift below the baseline opens an alert that recovers on upgrade", async () => {
    const s = setup();
    const sw = (version: string, at: number) =>
      observation("sw1", at, {
        entity: {
          model: "C9300-48P",
          serial: "FOC1",
          hardwareRev: "V01",
          firmwareRev: "",
          softwareRev: version,
          source: "entity-mib",
        },
      });
    await s.poll(sw("17.9.4", s.t0));
    expect(s.top()).toHaveLength(0); // first sight: nothing changed
    await s.poll(sw("17.6.1", s.t0 + 5 * MIN)); // downgraded below the baseline
    const texts = s.top().map((p) => replyToPlainText(p.reply));
    expect(texts).toHaveLength(2);
    expect(texts.join("\n")).toContain("Firmware changed — sw1");
    expect(texts.join("\n")).toContain("17.9.4 → 17.6.1");
    expect(texts.join("\n")).toMatch(/Firmware drift — sw1[\s\S]*17\.6\.1 \(baseline min 17\.9\.4\)/);
    await s.poll(sw("17.9.5", s.t0 + 10 * MIN));
    const drift = s.top().find((p) => replyToPlainText(p.reply).includes("Firmware drift"))!;
    expect(s.thread(drift.ts).join("\n")).toContain("recovered after 5m 0s");
    expect(s.top()).toHaveLength(3); // the second change is its own one-shot message
  });

  it("a failed config backup is announced with secrets redacted, and recovers", async () => {
    const s = setup();
    const chat = new RecordingChat();
    const alerts = createAlertService({
      store: s.store,
      clock: s.clock,
      chat,
      config: s.config,
      logger: silentLogger(),
      redactor: new Redactor(["hunter2"]),
    });
    // The rows the backup service writes (kind backup: ok → failed → ok).
    const log = s.store.db.prepare(
      "INSERT INTO change_log (at, device, kind, object_key, old, new, detail) VALUES (?, 'sw1', 'backup', '', ?, ?, ?)",
    );
    log.run(s.t0, "ok", "failed", JSON.stringify({ error: "auth failed for enable secret hunter2" }));
    await alerts.process();
    const msg = chat.posts[0]!;
    expect(replyToPlainText(msg.reply)).toContain("Config backup failed — sw1");
    expect(replyToPlainText(msg.reply)).toContain("enable secret [redacted]");
    expect(JSON.stringify(chat.posts)).not.toContain("hunter2");
    s.clock.advance(24 * 60 * MIN);
    log.run(s.clock.now(), "failed", "ok", "{}");
    await alerts.process();
    expect(chat.posts.filter((p) => p.threadTs === msg.ts).map((p) => replyToPlainText(p.reply))).toEqual([
      "✅ sw1 recovered after 24h 0m (was auth failed for enable secret [redacted]).",
    ]);
  });

  it("a first start skips change-log history older than an hour instead of flooding the channel", async () => {
    const s = setup();
    const log = s.store.db.prepare(
      "INSERT INTO change_log (at, device, kind, object_key, old, new, detail) VALUES (?, 'sw1', 'backup', '', 'ok', 'failed', ?)",
    );
    log.run(s.t0 - 3 * 60 * MIN, JSON.stringify({ error: "old failure" }));
    const fresh = new RecordingChat();
    const alerts = createAlertService({
      store: s.store,
      clock: s.clock,
      chat: fresh,
      config: s.config,
      logger: silentLogger(),
    });
    await alerts.process();
    expect(fresh.posts).toHaveLength(0);
    log.run(s.t0, JSON.stringify({ error: "new failure" }));
    await alerts.process();
    expect(fresh.posts.map((p) => replyToPlainText(p.reply)).join("\n")).toContain("new failure");
  });
});
