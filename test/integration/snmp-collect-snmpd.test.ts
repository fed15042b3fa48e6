import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createSnmpCollector, type SnmpCollector } from "../../src/management/collectors/snmp/index.js";
import { type SnmpdAgent, startSnmpd } from "../support/snmp-agents.js";

/** Debian snmpd: SNMPv2c and SNMPv3 authPriv (SHA-256 + AES) against a real C agent. */
describe("SNMP collector against snmpd", () => {
  let snmpd: SnmpdAgent;
  let collector: SnmpCollector;

  beforeAll(async () => {
    snmpd = await startSnmpd();
    collector = createSnmpCollector({ logger: silentLogger(), clock: new ManualClock() });
  }, 60_000);

  afterAll(async () => {
    collector?.close();
    await snmpd?.stop();
  });

  it("collects over SNMPv2c: system, the loopback interface, storage", async () => {
    const obs = await collector.collect(snmpd.device());
    expect(obs.errors).toEqual([]);
    expect(obs.reachable).toBe(true);
    expect(obs.system).toMatchObject({
      name: "opsbot-snmpd",
      objectId: expect.stringMatching(/^1\.3\.6\.1\.4\.1\.8072\./),
    });
    expect(obs.system!.uptimeCs).toBeGreaterThanOrEqual(0);
    const lo = obs.interfaces!.find((i) => i.descr === "lo");
    expect(lo).toMatchObject({ adminStatus: "up", operStatus: "up", counterBits: 64 });
    expect(typeof lo!.inOctets).toBe("bigint");
    expect(obs.entity).toMatchObject({ source: "sysdescr", os: "Linux" });
    expect(obs.drives!.sources).toContain("host-resources");
    expect(obs.storage!.some((s) => s.type === "ram" && s.sizeBytes > 0)).toBe(true);
  });

  it("collects over SNMPv3 authPriv with SHA-256 and AES", async () => {
    const obs = await collector.collect(snmpd.v3Device(), { collectors: ["system", "interfaces"] });
    expect(obs.errors).toEqual([]);
    expect(obs.system!.name).toBe("opsbot-snmpd");
    expect(obs.interfaces!.some((i) => i.descr === "lo")).toBe(true);
  });

  it("reports a wrong SNMPv3 key as an authentication failure from an agent that answered", async () => {
    const obs = await collector.collect(snmpd.v3Device({ authKey: "wrong-auth-key", timeout_ms: 1000 }));
    expect(obs.reachable).toBe(true);
    expect(obs.errors).toEqual([
      {
        collector: "system",
        message: expect.stringMatching(/^SNMPv3 authentication with 127\.0\.0\.1:\d+ failed: Wrong Digest/),
      },
    ]);
  });

  it("reports an unknown SNMPv3 user", async () => {
    const obs = await collector.collect(snmpd.v3Device({ user: "nobody-here", timeout_ms: 1000 }), {
      collectors: ["system"],
    });
    expect(obs.errors[0]!.message).toMatch(/Unknown User Name/);
  });
});
