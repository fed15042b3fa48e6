import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { type Config, type DeviceConfig, deviceSchema } from "../../src/config/schema.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createAlertService } from "../../src/management/alerts/service.js";
import { createSnmpCollector, type SnmpCollector } from "../../src/management/collectors/snmp/index.js";
import { seriesTiers } from "../../src/management/history/retention.js";
import { createSeriesStore } from "../../src/management/history/series-store.js";
import { createPoller, type Poller } from "../../src/management/poller.js";
import { type TestCore, testCore } from "../support/core.js";
import { freeUdpPort, type SnmpsimAgent, startSnmpsim } from "../support/snmp-agents.js";
import { tempDir } from "../support/temp.js";

/**
 * Alerts end to end on real polls: snmpsimd's lab-switch (writecache ports flipped between polls) →
 * SNMP collector → poller → change log → alert engine → the chat port (a recording fake), driven with a
 * manual clock. Commands and buttons go through the real router.
 */
const MINUTE = 60_000;
const PORT = (i: number) => `Gi1/0/${i}`;
const SYS_UPTIME = "1.3.6.1.2.1.1.3.0";

let sim: SnmpsimAgent;
let collector: SnmpCollector;

beforeAll(async () => {
  sim = await startSnmpsim({ fixtures: ["lab-switch"] });
  collector = createSnmpCollector({ logger: silentLogger(), clock: { now: () => Date.now() } });
}, 120_000);

afterAll(async () => {
  collector?.close();
  await sim?.stop();
});

interface Bed {
  core: TestCore;
  poller: Poller;
  /** Polls every device at the clock's time, then runs an alert pass. */
  poll(): Promise<void>;
  posts(channel?: string): TestCore["chat"]["posts"];
  thread(ts: string): string[];
  restart(): Promise<void>;
}

let beds: Bed[] = [];

afterEach(async () => {
  for (const b of beds) {
    await b.poller.stop();
    b.core.cleanup();
  }
  beds = [];
  // The agent keeps SET values: put every port the tests touch back up.
  for (let i = 1; i <= 7; i++) await sim.setOperStatus("lab-switch", i, "up");
}, 60_000);

function device(name: string, tags: string[], site = "lab"): Record<string, unknown> {
  const d: DeviceConfig = sim.device("lab-switch", { name, collect: ["system", "interfaces"] });
  return { ...deviceSchema.parse(d), tags, site };
}

async function bed(
  alerts: Record<string, unknown>,
  opts: { devices?: Record<string, unknown>[]; orchestration?: Record<string, unknown> } = {},
): Promise<Bed> {
  const yaml = JSON.stringify({
    roles: { oncall: ["alice", "bob"], ops: ["alice", "bob"] },
    channels: { net: "C-NET", srv: "C-SRV", alerts: "C-ALERTS" },
    polling: { schedule: "*/5 * * * *", jitter_ms: 0, concurrency: 4 },
    alerts: {
      default_channel: "net",
      ports: { aliased: true, explicit: [2, 3, 4, 5, 6, 7].map((i) => `lab-sw*:${PORT(i)}`) },
      ...alerts,
    },
    devices: opts.devices ?? [device("lab-sw1", ["network"])],
    ...(opts.orchestration ? { orchestration: opts.orchestration } : {}),
  });
  const core = testCore(yaml);
  const config = core.services.config as Config;
  // The poller writes the time series too (the core's own poller would): alert charts read them.
  const series = createSeriesStore({
    store: core.store,
    clock: core.clock,
    tiers: seriesTiers(config.retention.series),
  });
  const makePoller = () =>
    createPoller({ collector, store: core.store, clock: core.clock, logger: silentLogger(), config, series });
  const b: Bed = {
    core,
    poller: makePoller(),
    async poll() {
      await b.poller.pollAll();
      await core.services.alerts!.process();
    },
    posts: (channel) =>
      core.chat.posts.filter((p) => !p.threadTs && (channel === undefined || p.channel === channel)),
    thread: (ts) => core.chat.posts.filter((p) => p.threadTs === ts).map((p) => replyToPlainText(p.reply)),
    async restart() {
      // A new engine and poller on the same SQLite file: what a process restart sees.
      await b.poller.stop();
      b.poller = makePoller();
      const fresh = createAlertService({
        store: core.store,
        clock: core.clock,
        chat: core.chat,
        config,
        logger: silentLogger(),
      });
      core.services.alerts = fresh;
    },
  };
  beds.push(b);
  await b.poll(); // baseline: every port seen once
  return b;
}

const textOf = (p: { reply: Parameters<typeof replyToPlainText>[0] }) => replyToPlainText(p.reply);
const lastUpdate = (b: Bed, ts: string) => {
  const u = b.core.chat.updates.filter((x) => x.ref.ts === ts).at(-1);
  return u ? replyToPlainText(u.reply) : "";
};

describe("alerts from real polls", () => {
  it("fires after the hold time, once: not again on the next poll, nor after a restart; recovery updates and threads", async () => {
    const b = await bed({ rules: { port_down: { hold: "2m" } } });
    await sim.setOperStatus("lab-switch", 3, "down");
    await b.poll();
    expect(b.posts()).toHaveLength(0); // held
    b.core.clock.advance(MINUTE);
    await b.poll();
    expect(b.posts()).toHaveLength(0);
    b.core.clock.advance(MINUTE);
    await b.poll();
    expect(b.posts()).toHaveLength(1);
    const msg = b.posts()[0]!;
    expect(msg.channel).toBe("C-NET");
    expect(textOf(msg)).toContain("Port down — lab-sw1");
    expect(textOf(msg)).toContain(PORT(3));

    b.core.clock.advance(MINUTE);
    await b.poll();
    await b.restart();
    await b.poll();
    b.core.clock.advance(MINUTE);
    await b.poll();
    expect(b.posts()).toHaveLength(1);
    const rows = b.core.store.db
      .prepare("SELECT COUNT(*) AS n FROM alert WHERE rule = 'port_down'")
      .get() as { n: number };
    expect(rows.n).toBe(1);
    expect(() =>
      b.core.store.db
        .prepare(
          "INSERT INTO alert (key, device, rule, object, severity, status, condition, value, since) SELECT key, device, rule, object, severity, status, condition, value, since FROM alert",
        )
        .run(),
    ).toThrow(/UNIQUE/);

    await sim.setOperStatus("lab-switch", 3, "up");
    b.core.clock.advance(MINUTE);
    await b.poll();
    expect(b.posts()).toHaveLength(1);
    expect(lastUpdate(b, msg.ts)).toContain("Resolved: Port down — lab-sw1");
    expect(b.thread(msg.ts).join("\n")).toMatch(/Gi1\/0\/3 recovered after 5m 0s/);
  }, 120_000);

  it("a port-down alert carries a chart of the port's last 6 hours in its thread, once", async () => {
    const b = await bed({ rules: { port_down: { hold: "0" } } });
    // sysUpTime runs with the clock, so error counters give rates (0/s) to chart.
    const uptime = Number(
      b.core.store.db.prepare("SELECT uptime_cs FROM device_state WHERE name = 'lab-sw1'").pluck().get(),
    );
    b.core.clock.advance(5 * MINUTE);
    await sim.set("lab-switch", SYS_UPTIME, "TimeTicks", uptime + 30_000);
    await b.poll();
    await sim.setOperStatus("lab-switch", 3, "down");
    b.core.clock.advance(5 * MINUTE);
    await sim.set("lab-switch", SYS_UPTIME, "TimeTicks", uptime + 60_000);
    await b.poll();
    const msg = b.posts()[0]!;
    expect(b.core.chat.files).toHaveLength(1);
    const file = b.core.chat.files[0]!;
    expect(file).toMatchObject({
      channel: "C-NET",
      threadTs: msg.ts,
      filename: `lab-sw1-${PORT(3).replace(/\//g, "-")}-6h.png`,
    });
    expect(PNG.sync.read(Buffer.from(file.content as Uint8Array)).width).toBe(800);
    b.core.clock.advance(MINUTE);
    await b.poll();
    expect(b.core.chat.files).toHaveLength(1); // not on updates
  }, 120_000);

  it("groups a burst of ports of one switch into one message, updated as more go down", async () => {
    const b = await bed({ rules: { port_down: { hold: "0" } } });
    for (const i of [2, 3, 4]) await sim.setOperStatus("lab-switch", i, "down");
    await b.poll();
    expect(b.posts()).toHaveLength(1);
    const msg = b.posts()[0]!;
    expect(textOf(msg)).toContain("(3)");
    for (const i of [2, 3, 4]) expect(textOf(msg)).toContain(PORT(i));
    await sim.setOperStatus("lab-switch", 5, "down");
    b.core.clock.advance(MINUTE);
    await b.poll();
    expect(b.posts()).toHaveLength(1);
    expect(lastUpdate(b, msg.ts)).toContain("(4)");
    expect(lastUpdate(b, msg.ts)).toContain(PORT(5));
  }, 120_000);

  it("detects flapping: one flapping message, updated, until it settles", async () => {
    const b = await bed({
      rules: { port_down: { hold: "2m" } },
      flapping: { transitions: 4, window: "10m", settle: "10m" },
    });
    for (const state of ["down", "up", "down", "up", "down", "up"] as const) {
      await sim.setOperStatus("lab-switch", 6, state);
      b.core.clock.advance(MINUTE);
      await b.poll();
    }
    expect(b.posts()).toHaveLength(1);
    const msg = b.posts()[0]!;
    expect(textOf(msg)).toContain("Flapping: Port down — lab-sw1");
    expect(lastUpdate(b, msg.ts)).toMatch(/flapping: 6 changes/);
    expect(b.thread(msg.ts).join("\n")).toContain("Gi1/0/6 is flapping");
    // Quiet (up) for the settle time: resolved, said once in the thread.
    b.core.clock.advance(11 * MINUTE);
    await b.poll();
    expect(b.posts()).toHaveLength(1);
    expect(lastUpdate(b, msg.ts)).toContain("Resolved");
    expect(b.thread(msg.ts).join("\n")).toContain("Gi1/0/6 recovered");
  }, 120_000);

  it("ack (command and button) keeps it quiet: no reminder until it clears", async () => {
    const b = await bed({ rules: { port_down: { hold: "0", renotify: "10m" } } });
    await sim.setOperStatus("lab-switch", 2, "down");
    await b.poll();
    const msg = b.posts()[0]!;
    b.core.clock.advance(11 * MINUTE);
    await b.poll();
    expect(b.thread(msg.ts).join("\n")).toContain("Still down: Gi1/0/2");
    const id = (
      b.core.store.db.prepare("SELECT id FROM alert WHERE object = ?").get(PORT(2)) as { id: number }
    ).id;
    const acked = await b.core.ask(`ack ${id}`, "bob");
    expect(replyToPlainText(acked.reply)).toContain(`Acked alert #${id}`);
    expect(lastUpdate(b, msg.ts)).toContain("acked by bob");
    const before = b.thread(msg.ts).length;
    b.core.clock.advance(30 * MINUTE);
    await b.poll();
    expect(b.thread(msg.ts).filter((t) => t.includes("Still down"))).toHaveLength(1);
    expect(b.thread(msg.ts).length).toBe(before);

    // The Ack button on a second message acks its alerts through the router.
    await sim.setOperStatus("lab-switch", 2, "up");
    b.core.clock.advance(MINUTE);
    await b.poll();
    await sim.setOperStatus("lab-switch", 4, "down");
    b.core.clock.advance(MINUTE);
    await b.poll();
    const second = b.posts().at(-1)!;
    const ackButton = second.reply.blocks
      .flatMap((x) => (x.type === "buttons" ? x.buttons : []))
      .find((x) => x.label === "Ack")!;
    const clicked = await b.core.router.dispatchAction(ackButton.actionId, ackButton.value, {
      user: b.core.user("alice"),
      channel: "C-NET",
      transport: "console",
      message: { channel: "C-NET", ts: second.ts },
    });
    expect(clicked.outcome).toBe("ok");
    expect(lastUpdate(b, second.ts)).toContain("acked by alice");
  }, 120_000);

  it("silence holds alerts back (listed as silenced); unsilence announces them", async () => {
    const b = await bed({ rules: { port_down: { hold: "0" } } });
    const r = await b.core.ask("silence lab-sw1 1h swapping optics", "bob");
    expect(replyToPlainText(r.reply)).toContain("Silence #1: device lab-sw1");
    await sim.setOperStatus("lab-switch", 7, "down");
    await b.poll();
    expect(b.posts()).toHaveLength(0);
    const listed = replyToPlainText((await b.core.ask("alerts lab-sw1")).reply);
    expect(listed).toContain("Gi1/0/7");
    expect(listed).toContain("silenced (#1, swapping optics)");
    expect(replyToPlainText((await b.core.ask("silences")).reply)).toContain("device:lab-sw1");
    const digest = replyToPlainText(b.core.services.alerts!.digest());
    expect(digest).toContain("1 open");
    expect(digest).toContain("Active silences: #1 device:lab-sw1");
    await b.core.ask("unsilence 1", "bob");
    expect(b.posts()).toHaveLength(1);
    expect(textOf(b.posts()[0]!)).toContain("Gi1/0/7");
  }, 120_000);

  it("a maintenance window suppresses alerts and shows them as in maintenance", async () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0); // the manual clock's start
    const b = await bed({
      rules: { port_down: { hold: "0" } },
      maintenance: [
        {
          name: "lab-rewire",
          tags: ["network"],
          start: new Date(now - MINUTE).toISOString(),
          end: new Date(now + 30 * MINUTE).toISOString(),
        },
      ],
    });
    await sim.setOperStatus("lab-switch", 2, "down");
    await b.poll();
    expect(b.posts()).toHaveLength(0);
    expect(replyToPlainText((await b.core.ask("alerts")).reply)).toContain("in maintenance (lab-rewire)");
    b.core.clock.advance(31 * MINUTE); // window over, still down: now it is announced
    await b.poll();
    expect(b.posts()).toHaveLength(1);
  }, 120_000);

  it("routes by tag to two channels", async () => {
    const b = await bed(
      {
        rules: { port_down: { hold: "0" } },
        routes: [
          { tags: ["network"], channel: "net" },
          { tags: ["servers"], channel: "srv" },
        ],
      },
      { devices: [device("lab-sw1", ["network"]), device("lab-sw2", ["servers"], "dc2")] },
    );
    await sim.setOperStatus("lab-switch", 3, "down");
    await b.poll();
    expect(b.posts("C-NET").map(textOf).join("\n")).toContain("lab-sw1");
    expect(b.posts("C-SRV").map(textOf).join("\n")).toContain("lab-sw2");
    expect(b.posts()).toHaveLength(2);
  }, 120_000);

  it("the Run button goes through the run command into the approval flow (pending run)", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir.path, "bounce.yaml"),
      `name: bounce-port
approvers: [role:ops]
params:
  device: { type: string }
  port: { type: string }
steps:
  - id: bounce
    local: { command: "echo {{ params.device }} {{ params.port }}" }
`,
    );
    try {
      const b = await bed(
        {
          rules: {
            port_down: {
              hold: "0",
              runbook: { name: "bounce-port", params: { device: "{device}", port: "{object}" } },
            },
          },
        },
        { orchestration: { runbooks_dir: dir.path, allow_local: true } },
      );
      await sim.setOperStatus("lab-switch", 4, "down");
      await b.poll();
      const msg = b.posts()[0]!;
      const button = msg.reply.blocks
        .flatMap((x) => (x.type === "buttons" ? x.buttons : []))
        .find((x) => x.label === "Run bounce-port")!;
      expect(button).toBeDefined();
      // The click goes through the real `run` command: a request that waits for an approver.
      const res = await b.core.router.dispatchAction(button.actionId, button.value, {
        user: b.core.user("alice"),
        channel: "C-NET",
        transport: "console",
        message: { channel: "C-NET", ts: msg.ts },
      });
      expect(replyToPlainText(res.reply)).toMatch(/Run \d+ of bounce-port is waiting for approval/);
      const rows = b.core.store.db.prepare("SELECT runbook, status, params FROM runs").all() as {
        runbook: string;
        status: string;
        params: string;
      }[];
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ runbook: "bounce-port", status: "pending" });
      expect(rows[0]!.params).toContain("Gi1/0/4");
    } finally {
      dir.cleanup();
    }
  }, 120_000);
  it("device unreachable fires after N consecutive failed polls, once", async () => {
    const dead = await freeUdpPort();
    const gone = {
      ...deviceSchema.parse(
        sim.device("lab-switch", { name: "gone-sw9", port: dead, timeout_ms: 300, retries: 0 }),
      ),
      tags: ["network"],
    };
    const b = await bed({ rules: { device_unreachable: { after_failures: 3 } } }, { devices: [gone] });
    // The baseline poll was failure 1.
    for (let failures = 2; failures <= 3; failures++) {
      expect(b.posts()).toHaveLength(0);
      b.core.clock.advance(5 * MINUTE);
      await b.poll();
    }
    expect(b.posts()).toHaveLength(1);
    expect(textOf(b.posts()[0]!)).toContain("Device unreachable — gone-sw9");
    b.core.clock.advance(5 * MINUTE);
    await b.poll();
    expect(b.posts()).toHaveLength(1);
  }, 120_000);
});
