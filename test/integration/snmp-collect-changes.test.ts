import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createSnmpCollector, type SnmpCollector } from "../../src/management/collectors/snmp/index.js";
import { type SnmpsimAgent, startSnmpsim } from "../support/snmp-agents.js";

const IF_IN_OCTETS_1 = "1.3.6.1.2.1.2.2.1.10.1";
const SYS_UPTIME = "1.3.6.1.2.1.1.3.0";

/**
 * A device changing between two polls (snmpsim writecache on the lab-switch fixture): what the
 * poller needs to write change-log rows, detect a Counter32 wrap and a counter reset.
 */
describe("SNMP collector: a device changing between polls", () => {
  let sim: SnmpsimAgent;
  let collector: SnmpCollector;

  beforeAll(async () => {
    sim = await startSnmpsim({ fixtures: ["lab-switch"] });
    collector = createSnmpCollector({ logger: silentLogger(), clock: new ManualClock() });
  }, 90_000);

  afterAll(async () => {
    collector?.close();
    await sim?.stop();
  });

  it("finds the chassis by walking entPhysicalClass when index 1 is the stack", async () => {
    const obs = await collector.collect(sim.device("lab-switch"), { collectors: ["entity"] });
    expect(obs.errors).toEqual([]);
    expect(obs.entity).toMatchObject({
      model: "WS-C3850-24P",
      serial: "FCW2049G0AB",
      hardwareRev: "V07",
      // The chassis row has no software revision; sysDescr does.
      softwareRev: "16.12.8",
      source: "entity-mib",
      os: "IOS-XE",
    });
  });

  it("sees a port go down and its ifLastChange move", async () => {
    const device = sim.device("lab-switch");
    const before = await collector.collect(device, { collectors: ["interfaces"] });
    expect(before.interfaces!.find((i) => i.ifIndex === 3)).toMatchObject({
      operStatus: "up",
      lastChangeCs: 1000,
    });

    await sim.setOperStatus("lab-switch", 3, "down");
    await sim.set("lab-switch", "1.3.6.1.2.1.2.2.1.9.3", "TimeTicks", 370000);
    await sim.set("lab-switch", SYS_UPTIME, "TimeTicks", 380000);

    const after = await collector.collect(device, { collectors: ["interfaces"] });
    expect(after.errors).toEqual([]);
    expect(after.system!.uptimeCs).toBe(380000);
    expect(after.interfaces!.find((i) => i.ifIndex === 3)).toMatchObject({
      operStatus: "down",
      lastChangeCs: 370000,
    });
    // The rest did not move.
    expect(after.interfaces!.filter((i) => i.operStatus === "down").map((i) => i.ifIndex)).toEqual([3, 8]);

    await sim.setOperStatus("lab-switch", 3, "up");
    const back = await collector.collect(device, { collectors: ["interfaces"] });
    expect(back.interfaces!.find((i) => i.ifIndex === 3)!.operStatus).toBe("up");
  });

  it("hands the poller a Counter32 wrap: 32-bit counters, uptime still rising", async () => {
    const device = sim.device("lab-switch");
    const first = await collector.collect(device, { collectors: ["interfaces"] });
    const port1 = first.interfaces!.find((i) => i.ifIndex === 1)!;
    expect(port1).toMatchObject({ counterBits: 32, inOctets: 4294960000n });

    await sim.set("lab-switch", IF_IN_OCTETS_1, "Counter32", 1704);
    await sim.set("lab-switch", SYS_UPTIME, "TimeTicks", 390000);
    const second = await collector.collect(device, { collectors: ["interfaces"] });
    expect(second.system!.uptimeCs).toBeGreaterThan(first.system!.uptimeCs);
    const wrapped = second.interfaces!.find((i) => i.ifIndex === 1)!;
    expect(wrapped).toMatchObject({ counterBits: 32, inOctets: 1704n });
    // 2^32 - 4294960000 + 1704 octets went by.
    expect((2n ** 32n + wrapped.inOctets - port1.inOctets) % 2n ** 32n).toBe(9000n);
  });

  it("hands the poller a counter reset: sysUpTime went down", async () => {
    const device = sim.device("lab-switch");
    const first = await collector.collect(device, { collectors: ["system"] });
    await sim.set("lab-switch", SYS_UPTIME, "TimeTicks", 1200);
    const second = await collector.collect(device, { collectors: ["system"] });
    expect(second.system!.uptimeCs).toBe(1200);
    expect(second.system!.uptimeCs).toBeLessThan(first.system!.uptimeCs);
  });
});
