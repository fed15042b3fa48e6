import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Config, configSchema, type DeviceConfig } from "../../src/config/schema.js";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { readChanges } from "../../src/management/change-log.js";
import type { DeviceObservation } from "../../src/management/observations.js";
import { type Collector, createPoller, type Poller } from "../../src/management/poller.js";
import type { Scheduler } from "../../src/management/schedule.js";
import { createStateRepo } from "../../src/management/state-repo.js";
import { observation, port, tempStore } from "../support/mgmt-fixtures.js";

/**
 * A collector whose answers the test releases by hand, to pin concurrency and joining. (End-to-end
 * polls against real agents are in test/integration.)
 */
function gatedCollector(clock: ManualClock) {
  const calls: string[] = [];
  const gates = new Map<string, Array<(obs: DeviceObservation) => void>>();
  let active = 0;
  let maxActive = 0;
  const collector: Collector = {
    collect(device: DeviceConfig) {
      calls.push(device.name);
      active++;
      maxActive = Math.max(maxActive, active);
      return new Promise((resolve) => {
        const list = gates.get(device.name) ?? [];
        list.push((obs) => {
          active--;
          resolve(obs);
        });
        gates.set(device.name, list);
      });
    },
  };
  const release = (name: string, obs: Partial<DeviceObservation> = {}) => {
    const fn = gates.get(name)?.shift();
    if (!fn) throw new Error(`no pending collect for ${name}`);
    fn({ ...observation(name, clock.now(), { interfaces: [port(1)] }), ...obs });
  };
  return {
    collector,
    calls,
    release,
    maxActive: () => maxActive,
    pending: (n: string) => gates.get(n)?.length ?? 0,
  };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

function manualScheduler() {
  const jobs: Array<{ expression: string; tick: () => void; stopped: boolean }> = [];
  const scheduler: Scheduler = {
    schedule(expression, tick) {
      const job = { expression, tick, stopped: false };
      jobs.push(job);
      return {
        stop: () => {
          job.stopped = true;
        },
      };
    },
  };
  return { scheduler, jobs };
}

function config(devices: string[], extra: Record<string, unknown> = {}): Config {
  return configSchema.parse({
    polling: { schedule: "*/5 * * * *", jitter_ms: 0, concurrency: 2 },
    devices: devices.map((name) => ({ name, host: "127.0.0.1", snmp: { community: "public" } })),
    ...extra,
  });
}

describe("poller", () => {
  let ctx: ReturnType<typeof tempStore>;
  let clock: ManualClock;
  let poller: Poller | undefined;

  beforeEach(() => {
    ctx = tempStore();
    clock = new ManualClock();
  });
  afterEach(async () => {
    await poller?.stop();
    ctx.cleanup();
  });

  it("registers every configured device with its poll interval", () => {
    const cfg = config(["a", "b"]);
    cfg.devices[1]!.poll_schedule = "0 * * * *";
    poller = createPoller({
      collector: gatedCollector(clock).collector,
      store: ctx.store,
      clock,
      logger: silentLogger(),
      config: cfg,
    });
    const rows = ctx.store.db.prepare("SELECT name, poll_interval_ms FROM device_state ORDER BY name").all();
    expect(rows).toEqual([
      { name: "a", poll_interval_ms: 300_000 },
      { name: "b", poll_interval_ms: 3_600_000 },
    ]);
  });

  it("joins a second refresh to the poll already running", async () => {
    const g = gatedCollector(clock);
    poller = createPoller({
      collector: g.collector,
      store: ctx.store,
      clock,
      logger: silentLogger(),
      config: config(["sw1"]),
    });
    const first = poller.refresh("sw1");
    const second = poller.refresh("SW1");
    await settle();
    expect(g.calls).toEqual(["sw1"]);
    g.release("sw1");
    const [a, b] = await Promise.all([first, second]);
    expect(a).toBe(b);
    expect(a).toMatchObject({ device: "sw1", reachable: true, at: clock.now(), error: null });
    expect(createStateRepo(ctx.store).load("sw1")!.interfaces).toHaveLength(1);
  });

  it("runs at most `concurrency` polls at once and lets a refresh jump the queue", async () => {
    const g = gatedCollector(clock);
    poller = createPoller({
      collector: g.collector,
      store: ctx.store,
      clock,
      logger: silentLogger(),
      config: config(["d1", "d2", "d3", "d4"]),
    });
    const all = poller.pollAll(["d1", "d2", "d3"]);
    await settle();
    expect(g.calls).toEqual(["d1", "d2"]);
    const urgent = poller.refresh("d4");
    expect(poller.stats()).toMatchObject({ running: 2, waiting: 2, inFlight: 4 });
    g.release("d1");
    await settle();
    expect(g.calls).toEqual(["d1", "d2", "d4"]);
    g.release("d4");
    await urgent;
    await settle();
    g.release("d2");
    await settle();
    g.release("d3");
    const outcomes = await all;
    expect(outcomes.map((o) => o.device)).toEqual(["d1", "d2", "d3"]);
    expect(g.maxActive()).toBe(2);
  });

  it("records a collector that throws as an unreachable poll", async () => {
    const collector: Collector = {
      collect: async () => {
        throw new Error("socket hang up");
      },
    };
    poller = createPoller({
      collector,
      store: ctx.store,
      clock,
      logger: silentLogger(),
      config: config(["sw1"]),
    });
    const outcome = await poller.refresh("sw1");
    expect(outcome).toMatchObject({ reachable: false, error: "poller: socket hang up", changes: 1 });
    await poller.refresh("sw1");
    expect(createStateRepo(ctx.store).load("sw1")!.device).toMatchObject({
      consecutiveFailures: 2,
      reachable: false,
    });
    expect(readChanges(ctx.store).map((c) => c.new)).toEqual(["unreachable"]);
  });

  it("rejects an unknown device by name", async () => {
    poller = createPoller({
      collector: gatedCollector(clock).collector,
      store: ctx.store,
      clock,
      logger: silentLogger(),
      config: config(["sw1"]),
    });
    expect(() => poller!.refresh("sw9")).toThrow(/No device named "sw9"/);
  });

  it("names every invalid schedule in the config", () => {
    const cfg = config(["sw1"], { polling: { schedule: "every 5 minutes" } });
    cfg.devices[0]!.poll_schedule = "*/61 * * *";
    const build = () =>
      createPoller({
        collector: gatedCollector(clock).collector,
        store: ctx.store,
        clock,
        logger: silentLogger(),
        config: cfg,
      });
    expect(build).toThrow(/polling schedule/);
    try {
      build();
    } catch (err) {
      expect((err as { details: string[] }).details).toEqual([
        'polling.schedule: "every 5 minutes" is not a cron expression (it needs 5 fields: minute hour day-of-month month day-of-week) (e.g. "*/5 * * * *")',
        'devices[0].poll_schedule (sw1): "*/61 * * *" is not a cron expression (it needs 5 fields: minute hour day-of-month month day-of-week)',
      ]);
    }
  });

  it("schedules devices per cron expression and polls a group on each tick", async () => {
    const g = gatedCollector(clock);
    const s = manualScheduler();
    const cfg = config(["a", "b", "c"]);
    cfg.devices[2]!.poll_schedule = "*/1 * * * *";
    poller = createPoller({
      collector: g.collector,
      store: ctx.store,
      clock,
      logger: silentLogger(),
      config: cfg,
      scheduler: s.scheduler,
    });
    poller.start();
    expect(s.jobs.map((j) => j.expression)).toEqual(["*/5 * * * *", "*/1 * * * *"]);
    s.jobs[1]!.tick();
    s.jobs[1]!.tick(); // a tick while the device's poll still runs joins it
    await settle();
    expect(g.calls).toEqual(["c"]);
    g.release("c");
    s.jobs[0]!.tick();
    await settle();
    expect(g.calls).toEqual(["c", "a", "b"]);
    g.release("a");
    g.release("b");
    await settle();
    expect(
      ctx.store.db.prepare("SELECT count(*) FROM device_state WHERE last_ok_at IS NOT NULL").pluck().get(),
    ).toBe(3);
  });

  it("polls on a real cron (croner) schedule", async () => {
    const g = gatedCollector(clock);
    const cfg = config(["a"], { polling: { schedule: "* * * * * *", jitter_ms: 0, concurrency: 2 } });
    poller = createPoller({
      collector: g.collector,
      store: ctx.store,
      clock,
      logger: silentLogger(),
      config: cfg,
    });
    poller.start();
    const deadline = Date.now() + 15_000;
    while (g.calls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(g.calls[0]).toBe("a");
    const stopping = poller.stop(); // stops the cron task at once, then waits for the running poll
    while (g.pending("a") > 0) g.release("a");
    await stopping;
    const after = g.calls.length;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(g.calls.length).toBe(after);
  });

  it("spreads scheduled polls by jitter", async () => {
    const g = gatedCollector(clock);
    const s = manualScheduler();
    const cfg = config(["a"], { polling: { jitter_ms: 40, concurrency: 2 } });
    poller = createPoller({
      collector: g.collector,
      store: ctx.store,
      clock,
      logger: silentLogger(),
      config: cfg,
      scheduler: s.scheduler,
      random: () => 0.5,
    });
    poller.start();
    s.jobs[0]!.tick();
    expect(g.calls).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    expect(g.calls).toEqual(["a"]);
    g.release("a");
  });

  it("on stop, drops polls not started, finishes running ones and stops scheduling", async () => {
    const g = gatedCollector(clock);
    const s = manualScheduler();
    poller = createPoller({
      collector: g.collector,
      store: ctx.store,
      clock,
      logger: silentLogger(),
      config: config(["d1", "d2", "d3"]),
      scheduler: s.scheduler,
    });
    poller.start();
    const running = poller.refresh("d1");
    const queued = poller.pollAll(["d2", "d3"]);
    await settle();
    const stopping = poller.stop();
    g.release("d1");
    g.release("d2");
    await stopping;
    await expect(running).resolves.toMatchObject({ device: "d1" });
    await expect(queued).rejects.toThrow(/stopped/);
    expect(s.jobs.every((j) => j.stopped)).toBe(true);
    expect(g.calls).toEqual(["d1", "d2"]);
    await expect(poller.refresh("d1")).rejects.toThrow(/stopped/);
  });
});
