import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createSnmpCollector, type SnmpCollector } from "../../src/management/collectors/snmp/index.js";
import { type SimulatedFleet, startSnmpFleet } from "../../src/sim/snmp-fleet.js";

/** The demo's simulated fleet (net-snmp's JS agent) read by the real collector. */
describe("simulated SNMP fleet", () => {
  let fleet: SimulatedFleet;
  let collector: SnmpCollector;

  beforeAll(async () => {
    fleet = await startSnmpFleet({ trafficIntervalMs: 0 });
    collector = createSnmpCollector({ logger: silentLogger(), clock: new ManualClock() });
  });

  afterAll(async () => {
    collector?.close();
    await fleet?.stop();
  });

  const poll = (name: string) => collector.collect(fleet.devices.find((d) => d.name === name)!);

  it("gives a config for each device on its own loopback port", () => {
    expect(fleet.devices.map((d) => d.name)).toEqual(["core-sw1", "access-sw2", "edge-sw3", "db01"]);
    const ports = fleet.devices.map((d) => d.snmp!.port);
    expect(new Set(ports).size).toBe(4);
    for (const d of fleet.devices)
      expect(d).toMatchObject({ host: "127.0.0.1", snmp: { version: "2c", community: "opsbot-demo" } });
  });

  it("core-sw1: 52 ports, two access ports and an uplink admin up but oper down, exact HC counter", async () => {
    const obs = await poll("core-sw1");
    expect(obs.errors).toEqual([]);
    expect(obs.system).toMatchObject({ name: "core-sw1", objectId: "1.3.6.1.4.1.9.1.2494" });
    expect(obs.interfaces).toHaveLength(52);
    const upButDown = obs.interfaces!.filter((i) => i.adminStatus === "up" && i.operStatus === "down");
    expect(upButDown.map((i) => [i.name, i.alias])).toEqual([
      ["Gi1/0/5", "printer-3F"],
      ["Gi1/0/17", "ap-2F-east"],
      ["Te1/1/2", "uplink to edge-sw3"],
    ]);
    expect(obs.interfaces![0]!.inOctets).toBe(2n ** 53n + 12_345n);
    expect(obs.entity).toMatchObject({ model: "C9300-48P", softwareRev: "17.03.04", source: "entity-mib" });
  });

  it("edge-sw3 reports the Junos release its baseline flags, and access-sw2 its Aruba revision", async () => {
    const edge = await poll("edge-sw3");
    expect(edge.entity).toMatchObject({ model: "EX2300-24T", softwareRev: "18.4R2-S3", vendor: "Juniper" });
    expect(fleet.firmwareBaselines["EX2300-24T"]).toEqual({ min: "21.4R3" });
    const access = await poll("access-sw2");
    expect(access.interfaces).toHaveLength(24);
    expect(access.entity).toMatchObject({ model: "JL253A", softwareRev: "WC.16.10.0012" });
  });

  it("db01: the failed drive shows in both HOST-RESOURCES and the iDRAC table", async () => {
    const obs = await poll("db01");
    expect(obs.errors).toEqual([]);
    const failing = obs.drives!.items.filter((d) => d.status === "failed").map((d) => [d.key, d.rawStatus]);
    expect(failing).toEqual([
      ["host-resources:1568", "down(5)"],
      ["idrac:2", "failed(7)"],
    ]);
    expect(obs.entity).toMatchObject({ source: "sysdescr", softwareRev: "5.10.0-21-amd64" });
  });

  it("flipPort changes what the next poll sees", async () => {
    const before = await poll("core-sw1");
    const gi10 = before.interfaces!.find((i) => i.ifIndex === 10)!;
    expect(gi10.operStatus).toBe("up");
    fleet.flipPort("core-sw1", 10, "down");
    const after = await poll("core-sw1");
    const flipped = after.interfaces!.find((i) => i.ifIndex === 10)!;
    expect(flipped.operStatus).toBe("down");
    expect(flipped.lastChangeCs).toBeGreaterThan(gi10.lastChangeCs);
    expect(flipped.lastChangeCs).toBeLessThanOrEqual(after.system!.uptimeCs);
    fleet.flipPort("core-sw1", 10, "up");
    expect(() => fleet.flipPort("nope", 1, "up")).toThrow(/no simulated device nope/);
  });
});
