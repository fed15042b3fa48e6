import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createSnmpCollector, type SnmpCollector } from "../../src/management/collectors/snmp/index.js";
import { type SnmpsimAgent, startSnmpsim } from "../support/snmp-agents.js";

/** The 48-port switch and the IOS switch without ENTITY-MIB, served by snmpsimd. */
describe("SNMP collector against snmpsimd: switches", () => {
  let sim: SnmpsimAgent;
  let collector: SnmpCollector;
  const clock = new ManualClock();

  beforeAll(async () => {
    sim = await startSnmpsim({ fixtures: ["switch48", "no-entity"] });
    collector = createSnmpCollector({ logger: silentLogger(), clock });
  }, 90_000);

  afterAll(async () => {
    collector?.close();
    await sim?.stop();
  });

  it("reads the system group", async () => {
    const obs = await collector.collect(sim.device("switch48"), { collectors: ["system"] });
    expect(obs.errors).toEqual([]);
    expect(obs.reachable).toBe(true);
    expect(obs.at).toBe(clock.now());
    expect(obs.system).toEqual({
      descr: expect.stringContaining("Version 17.3.4"),
      objectId: "1.3.6.1.4.1.9.1.2494",
      name: "core-sw1",
      uptimeCs: 123456789,
    });
    expect(obs.interfaces).toBeUndefined();
  });

  it("walks ifTable + ifXTable: every port with names, aliases, states, speeds and counters", async () => {
    const obs = await collector.collect(sim.device("switch48"), { collectors: ["interfaces"] });
    expect(obs.errors).toEqual([]);
    const ifs = obs.interfaces!;
    expect(ifs).toHaveLength(53);
    expect(ifs.map((i) => i.ifIndex)).toEqual([...Array.from({ length: 52 }, (_, i) => i + 1), 1001]);

    const gi5 = ifs.find((i) => i.ifIndex === 5)!;
    expect(gi5).toMatchObject({
      name: "Gi1/0/5",
      descr: "GigabitEthernet1/0/5",
      alias: "printer-3F",
      adminStatus: "up",
      operStatus: "down",
      speedMbps: 1000,
      counterBits: 64,
    });
    const te2 = ifs.find((i) => i.name === "Te1/1/2")!;
    expect(te2).toMatchObject({
      adminStatus: "up",
      operStatus: "down",
      speedMbps: 10000,
      alias: "uplink to core-sw3 Te1/1/1",
    });
    const adminDown = ifs.filter((i) => i.adminStatus === "down").map((i) => i.ifIndex);
    expect(adminDown).toEqual([41, 42, 43, 44, 45, 46, 47, 48, 51, 52]);
    const upButDown = ifs.filter((i) => i.adminStatus === "up" && i.operStatus === "down").map((i) => i.name);
    expect(upButDown).toEqual(["Gi1/0/5", "Gi1/0/17", "Gi1/0/33", "Te1/1/2"]);
    const gi7 = ifs.find((i) => i.ifIndex === 7)!;
    expect([gi7.inErrors, gi7.outErrors]).toEqual([1523, 3]);
    expect(ifs.find((i) => i.ifIndex === 9)!.inDiscards).toBe(42);
    expect(gi5.lastChangeCs).toBe(120005000);
  });

  it("keeps Counter64 values above 2^53 exact", async () => {
    const obs = await collector.collect(sim.device("switch48"), { collectors: ["interfaces"] });
    const gi1 = obs.interfaces!.find((i) => i.ifIndex === 1)!;
    const gi2 = obs.interfaces!.find((i) => i.ifIndex === 2)!;
    expect(gi1.inOctets).toBe(2n ** 53n + 12345n);
    expect(gi2.outOctets).toBe(18446744073709551000n);
    expect(gi2.outOctets.toString()).toBe("18446744073709551000");
  });

  it("reads the ENTITY-MIB chassis row", async () => {
    const obs = await collector.collect(sim.device("switch48"), { collectors: ["entity"] });
    expect(obs.errors).toEqual([]);
    expect(obs.entity).toEqual({
      model: "C9300-48P",
      serial: "FOC2231X0AB",
      hardwareRev: "V02",
      firmwareRev: "17.3.1r[FC2]",
      softwareRev: "17.03.04",
      source: "entity-mib",
      vendor: "Cisco",
      os: "IOS-XE",
    });
  });

  it("falls back to the version in sysDescr when there is no ENTITY-MIB", async () => {
    const obs = await collector.collect(sim.device("no-entity"));
    expect(obs.errors).toEqual([]);
    expect(obs.entity).toEqual({
      model: "C2960X",
      serial: "",
      hardwareRev: "",
      firmwareRev: "",
      softwareRev: "15.2(7)E3",
      source: "sysdescr",
      vendor: "Cisco",
      os: "IOS",
    });
  });

  it("treats missing objects as data: no sysName, sparse ifAlias, no ifHighSpeed, no drive tables", async () => {
    const obs = await collector.collect(sim.device("no-entity"));
    expect(obs.errors).toEqual([]);
    expect(obs.reachable).toBe(true);
    expect(obs.system!.name).toBe("");
    const ifs = obs.interfaces!;
    expect(ifs.map((i) => i.alias)).toEqual(["room 101", "room 102", "room 103", "", "", "", "", ""]);
    expect(ifs.map((i) => i.speedMbps)).toEqual([1000, 1000, 1000, 1000, 1000, 1000, 1000, 100]);
    expect(ifs[3]!.operStatus).toBe("down");
    expect(obs.drives).toEqual({
      sources: ["host-resources", "idrac", "hpe", "synology", "netapp"],
      items: [],
    });
    expect(obs.storage).toBeUndefined();
  });

  it("walks correctly whatever max-repetitions is (1 forces a request per row)", async () => {
    const one = await collector.collect(sim.device("switch48", { max_repetitions: 1 }), {
      collectors: ["interfaces"],
    });
    const many = await collector.collect(sim.device("switch48", { max_repetitions: 60 }), {
      collectors: ["interfaces"],
    });
    expect(one.errors).toEqual([]);
    expect(many.errors).toEqual([]);
    expect(one.interfaces).toEqual(many.interfaces);
    expect(one.interfaces).toHaveLength(53);
  });

  it("gets the same table from agents that cap varbinds per response or refuse wide requests", async () => {
    const reference = await collector.collect(sim.device("switch48"));
    // 16 columns: 64 varbinds → 4 rows per response; 10 → snmpsimd answers genErr until the
    // walker splits the columns.
    for (const maxVarbinds of [64, 10]) {
      const capped = await startSnmpsim({ fixtures: ["switch48"], maxVarbinds });
      try {
        const obs = await collector.collect(capped.device("switch48"));
        expect(obs.errors).toEqual([]);
        expect(obs.interfaces).toEqual(reference.interfaces);
        expect(obs.entity).toEqual(reference.entity);
      } finally {
        await capped.stop();
      }
    }
  }, 120_000);
});
