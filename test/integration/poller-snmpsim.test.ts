import { afterAll, beforeAll, describe, expect, it } from "vitest";
import deviceCommand from "../../commands/device.js";
import drivesFailingCommand from "../../commands/drives-failing.js";
import firmwareDriftCommand from "../../commands/firmware-drift.js";
import fleetCommand from "../../commands/fleet.js";
import linksCommand from "../../commands/links.js";
import linksDownCommand from "../../commands/links-down.js";
import refreshCommand from "../../commands/refresh.js";
import type { Services } from "../../commands/services.js";
import { type Config, configSchema, type DeviceConfig } from "../../src/config/schema.js";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { readChanges } from "../../src/management/change-log.js";
import { createSnmpCollector, type SnmpCollector } from "../../src/management/collectors/snmp/index.js";
import { createFleetQueries } from "../../src/management/fleet-queries.js";
import { createPoller, type Poller } from "../../src/management/poller.js";
import { createStateRepo } from "../../src/management/state-repo.js";
import { tempStore } from "../support/mgmt-fixtures.js";
import { ask, servicesFor } from "../support/mgmt-services.js";
import { freeUdpPort, type SnmpsimAgent, startSnmpsim } from "../support/snmp-agents.js";

/**
 * The whole management path against real agents: snmpsimd on loopback → SNMP collector → poller →
 * SQLite cache + change log → chat commands. lab-switch's writecache OIDs let the test change the
 * device between polls.
 */
const IF_LAST_CHANGE = "1.3.6.1.2.1.2.2.1.9";
const IF_IN_OCTETS = "1.3.6.1.2.1.2.2.1.10";
const SYS_UPTIME = "1.3.6.1.2.1.1.3.0";
const LAB_UPTIME_CS = 360_000; // the fixture's sysUpTime

describe("poller against snmpsimd", () => {
  let sim: SnmpsimAgent;
  let collector: SnmpCollector;
  let ctx: ReturnType<typeof tempStore>;
  let poller: Poller;
  let services: Services;
  let config: Config;
  let deadPort: number;
  const clock = new ManualClock();

  const buildConfig = (devices: DeviceConfig[]): Config =>
    configSchema.parse({
      polling: { schedule: "*/5 * * * *", jitter_ms: 0, concurrency: 4 },
      firmware_baselines: { "C9300-*": { min: "17.6.1" }, "WS-C3850-24P": { min: "16.12.4" } },
      devices: devices.map((d) => ({
        ...d,
        tags: d.name.includes("sw") ? ["network"] : ["servers"],
        site: "lab",
      })),
    });

  beforeAll(async () => {
    sim = await startSnmpsim({ fixtures: ["lab-switch", "switch48", "server-failed-disk"] });
    deadPort = await freeUdpPort();
    collector = createSnmpCollector({ logger: silentLogger(), clock });
    ctx = tempStore();
    config = buildConfig([
      sim.device("lab-switch", { name: "lab-sw1" }),
      sim.device("switch48", { name: "core-sw1" }),
      sim.device("server-failed-disk", { name: "db01" }),
      sim.device("switch48", { name: "gone-sw9", port: deadPort, timeout_ms: 300, retries: 0 }),
    ]);
    poller = createPoller({ collector, store: ctx.store, clock, logger: silentLogger(), config });
    const fleet = createFleetQueries({ store: ctx.store, clock, baselines: config.firmware_baselines });
    services = servicesFor({ store: ctx.store, clock, fleet, poller, config });
    await poller.pollAll();
    clock.advance(60_000);
  }, 120_000);

  afterAll(async () => {
    await poller?.stop();
    collector?.close();
    await sim?.stop();
    ctx?.cleanup();
  });

  it("answers links <device> from the cache with every port of the 48-port switch", async () => {
    const { text } = await ask(linksCommand, services, { device: "core-sw1" });
    expect(text).toContain("core-sw1: 53 ports, 4 down");
    // The error column holds rates per second; after one poll they are not known yet.
    expect(text).toMatch(/Gi1\/0\/5 \| printer-3F \| down \| 1G \| 9h \d+m \| — \/ —/);
    expect(text).toContain("Te1/1/2 | uplink to core-sw3 Te1/1/1 | down | 10G");
    expect(text).toContain("Gi1/0/41 |  | down (admin down)");
    expect(text).toContain("data 1m old");
  });

  it("stores Counter64 values beyond 2^53 and 2^63 exactly", () => {
    const ports = createStateRepo(ctx.store).load("core-sw1")!.interfaces;
    expect(ports.find((p) => p.ifIndex === 1)!.inOctets).toBe(2n ** 53n + 12345n);
    expect(ports.find((p) => p.ifIndex === 2)!.outOctets).toBe(2n ** 64n - 616n);
  });

  it("answers links down fleet-wide and by tag", async () => {
    const { text } = await ask(linksDownCommand, services, { scope: "network" });
    expect(text).toContain("5 ports down on 2 devices in tag network");
    for (const port of ["Gi1/0/5", "Gi1/0/17", "Gi1/0/33", "Te1/1/2"])
      expect(text).toContain(`core-sw1 | ${port}`);
    expect(text).toContain("lab-sw1 | Gi1/0/8");
    expect(text).toContain("⚠ 1 device with stale or no data: gone-sw9");
  });

  it("answers drives failing with the vendor's raw status", async () => {
    const { text } = await ask(drivesFailingCommand, services);
    expect(text).toContain("2 drives need attention on 1 device");
    expect(text).toContain("db01 | SCSI disk (/dev/sdb) | 🔴 failed | down(5) | host-resources");
    expect(text.indexOf("down(5)")).toBeLessThan(text.indexOf("warning(3)"));
  });

  it("answers firmware drift against the baselines", async () => {
    const { text } = await ask(firmwareDriftCommand, services);
    expect(text).toContain("core-sw1 | C9300-48P | 17.03.04 | ≥ 17.6.1 | ❌ below baseline");
    expect(text).not.toContain("lab-sw1");
  });

  it("keeps an unreachable device visible with its error", async () => {
    const { text } = await ask(deviceCommand, services, { name: "gone-sw9" });
    expect(text).toContain("gone-sw9 has never answered (1 failed poll): system: ");
    const fleet = await ask(fleetCommand, services);
    expect(fleet.text).toContain("Reachable: 3 of 4, 1 not answering");
    expect(readChanges(ctx.store, { device: "gone-sw9" }).map((c) => c.new)).toEqual(["unreachable"]);
  });

  it("logs a port flipped between two polls, with down-since from ifLastChange", async () => {
    const before = readChanges(ctx.store).at(-1)?.id ?? 0;
    await sim.setOperStatus("lab-switch", 3, "down");
    await sim.set("lab-switch", `${IF_LAST_CHANGE}.3`, "TimeTicks", LAB_UPTIME_CS + 24_000);
    await sim.set("lab-switch", SYS_UPTIME, "TimeTicks", LAB_UPTIME_CS + 30_000); // 5 minutes later
    clock.advance(240_000);
    const { text } = await ask(refreshCommand, services, { device: "lab-sw1" });
    expect(text).toContain("Polled lab-sw1");
    expect(text).toContain("1 change recorded");
    const changes = readChanges(ctx.store, { afterId: before });
    expect(changes.map((c) => [c.device, c.kind, c.objectKey, c.old, c.new])).toEqual([
      ["lab-sw1", "port_oper", "Gi1/0/3", "up", "down"],
    ]);
    const port3 = createStateRepo(ctx.store)
      .load("lab-sw1")!
      .interfaces.find((p) => p.ifIndex === 3)!;
    expect(port3.downSince).toBe(clock.now() - 60_000);
    const links = await ask(linksCommand, services, { device: "lab-sw1", filter: "down" });
    expect(links.text).toContain("Gi1/0/3 |  | down | 1G | 1m");
  });

  it("computes a Counter32 rate across a wrap, then reseeds after a restart", async () => {
    const repo = createStateRepo(ctx.store);
    const uptime = repo.load("lab-sw1")!.device.uptimeCs!;
    // 30 s later the 32-bit counter (4294960000) has wrapped to 10000: 17296 octets moved.
    await sim.set("lab-switch", `${IF_IN_OCTETS}.1`, "Counter32", 10_000);
    await sim.set("lab-switch", SYS_UPTIME, "TimeTicks", uptime + 3_000);
    clock.advance(30_000);
    await poller.refresh("lab-sw1");
    const wrapped = repo.load("lab-sw1")!.interfaces.find((p) => p.ifIndex === 1)!;
    expect(wrapped.inBps).toBeCloseTo((17_296 * 8) / 30, 6);

    // The agent restarts: sysUpTime drops, counters start over; no rate, and a reboot is logged.
    const before = readChanges(ctx.store).at(-1)!.id;
    await sim.set("lab-switch", SYS_UPTIME, "TimeTicks", 500);
    await sim.set("lab-switch", `${IF_IN_OCTETS}.1`, "Counter32", 20);
    clock.advance(30_000);
    await poller.refresh("lab-sw1");
    const reset = repo.load("lab-sw1")!.interfaces.find((p) => p.ifIndex === 1)!;
    expect(reset.inBps).toBeNull();
    expect(reset.inOctets).toBe(20n);
    expect(readChanges(ctx.store, { afterId: before }).map((c) => c.kind)).toEqual(["reboot"]);
  });

  it("keeps the last data of a device that stops answering", async () => {
    // The same devices, but core-sw1 now points where nothing listens.
    const moved = config.devices.map((d) =>
      d.name === "core-sw1" ? { ...d, snmp: { ...d.snmp!, port: deadPort, timeout_ms: 300, retries: 0 } } : d,
    );
    const lost = createPoller({
      collector,
      store: ctx.store,
      clock,
      logger: silentLogger(),
      config: { ...config, devices: moved },
    });
    const okAt = createStateRepo(ctx.store).load("core-sw1")!.device.lastOkAt;
    clock.advance(15 * 60_000);
    const outcome = await lost.refresh("core-sw1");
    await lost.stop();
    expect(outcome.reachable).toBe(false);
    const state = createStateRepo(ctx.store).load("core-sw1")!;
    expect(state.device).toMatchObject({ reachable: false, lastOkAt: okAt, consecutiveFailures: 1 });
    expect(state.interfaces).toHaveLength(53);
    const { text } = await ask(linksCommand, services, { device: "core-sw1" });
    expect(text).toContain("core-sw1 is not answering (1 failed poll, last reached 21m ago)");
    expect(text).toContain("Te1/1/2 | uplink to core-sw3 Te1/1/1 | down");
    expect(text).toContain("⚠ stale: data 21m old (polled every 5m)");
    const changes = readChanges(ctx.store, { device: "core-sw1", kinds: ["reachability"] });
    expect(changes.map((c) => `${c.old}->${c.new}`)).toEqual(["reachable->unreachable"]);
  });
});
