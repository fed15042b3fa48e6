import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeviceConfig } from "../../src/config/schema.js";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createSnmpCollector, type SnmpCollector } from "../../src/management/collectors/snmp/index.js";
import { createSharedUdp, type SharedUdp } from "../../src/management/collectors/snmp/shared-udp.js";
import type { DeviceObservation } from "../../src/management/observations.js";
import { type SimulatedFleet, startSnmpFleet } from "../../src/sim/snmp-fleet.js";
import { type HostileRelay, startHostileRelay } from "../support/hostile-udp.js";
import { type SnmpsimAgent, startSnmpsim } from "../support/snmp-agents.js";

/**
 * Every poll's requests leave through one shared UDP socket; replies are routed back by request-id.
 * Agents: snmpsimd (four fixtures on one port, told apart by community, each behind a relay of its
 * own so they answer from different ports) and the demo's net-snmp agents (four more ports).
 */
describe("SNMP polls sharing one UDP socket", () => {
  const FIXTURES = ["switch48", "lab-switch", "no-entity", "server-failed-disk"];
  let sim: SnmpsimAgent;
  let fleet: SimulatedFleet;
  let shared: SharedUdp;
  let collector: SnmpCollector;
  const relays: HostileRelay[] = [];
  const devices: DeviceConfig[] = [];
  const alone = new Map<string, unknown>();

  /** What must not mix between devices: names, every port's name and status, the chassis serial. */
  const summary = (obs: DeviceObservation) => ({
    errors: obs.errors,
    sysName: obs.system?.name,
    objectId: obs.system?.objectId,
    ports: obs.interfaces?.map((i) => `${i.ifIndex} ${i.name} ${i.operStatus} ${i.speedMbps}`),
    serial: obs.entity?.serial,
  });

  beforeAll(async () => {
    [sim, fleet] = await Promise.all([
      startSnmpsim({ fixtures: FIXTURES }),
      startSnmpFleet({ trafficIntervalMs: 0 }),
    ]);
    for (const fixture of FIXTURES) {
      const relay = await startHostileRelay({
        agentPort: sim.port,
        forward: true,
        garbage: false,
        delayMs: 0,
      });
      relays.push(relay);
      devices.push(
        sim.device(fixture, { name: fixture, port: relay.port, collect: ["system", "interfaces", "entity"] }),
      );
    }
    devices.push(
      ...fleet.devices.map(
        (d): DeviceConfig => ({ ...d, snmp: { ...d.snmp!, collect: ["system", "interfaces"] } }),
      ),
    );
    shared = createSharedUdp();
    collector = createSnmpCollector({ logger: silentLogger(), clock: new ManualClock(), sharedUdp: shared });
    // Each device polled on its own first: what it must look like when polled alongside the others.
    for (const device of devices) alone.set(device.name, summary(await collector.collect(device)));
  }, 90_000);

  afterAll(async () => {
    collector?.close();
    shared?.close();
    await Promise.all(relays.map((r) => r.stop()));
    await fleet?.stop();
    await sim?.stop();
  });

  it("polled alone, every device answers in full (the baseline below is real data)", () => {
    for (const device of devices) {
      const s = alone.get(device.name) as ReturnType<typeof summary>;
      expect(s.errors, device.name).toEqual([]);
      expect(s.ports?.length, device.name).toBeGreaterThan(0);
    }
    // No two devices look alike, so an answer delivered to the wrong poll would show.
    expect(new Set(devices.map((d) => JSON.stringify(alone.get(d.name)))).size).toBe(devices.length);
  });

  it("24 polls of 8 agents at once: each gets exactly its own agent's answers, from one source port", async () => {
    const wave = [...devices, ...devices, ...devices];
    const results = await Promise.all(wave.map((d) => collector.collect(d)));
    for (const [i, obs] of results.entries()) {
      expect(obs.device).toBe(wave[i]!.name);
      expect(summary(obs), wave[i]!.name).toEqual(alone.get(wave[i]!.name));
    }
    const ports = new Set(relays.flatMap((r) => [...r.sourcePorts]));
    expect(ports.size).toBe(1);
    expect(shared.openViews()).toBe(0);
  });

  it("an agent that stops answering mid-poll times out alone; the others' polls are untouched", async () => {
    const relay = await startHostileRelay({
      agentPort: sim.port,
      forward: true,
      garbage: false,
      delayMs: 0,
      forwardFirst: 1,
    });
    relays.push(relay);
    const mute = sim.device("switch48", {
      name: "goes-quiet",
      port: relay.port,
      // Long enough for snmpsimd to answer the one forwarded GET on a loaded machine (at 400 ms it
      // once missed it at load 20, and the retry is never forwarded); the walk then waits 2 × this.
      timeout_ms: 2000,
      retries: 1,
      collect: ["system", "interfaces"],
    });
    const [quiet, ...others] = await Promise.all(
      [mute, ...devices, ...devices].map((d) => collector.collect(d)),
    );
    // The system GET was answered, then nothing: the interface walk times out after both attempts.
    expect(quiet!.reachable).toBe(true);
    expect(quiet!.system?.name).toBe((alone.get("switch48") as ReturnType<typeof summary>).sysName);
    expect(quiet!.errors).toEqual([
      {
        collector: "interfaces",
        message: `no response from 127.0.0.1:${relay.port} within 2000 ms (2 attempts)`,
      },
    ]);
    expect(relay.requests).toBeGreaterThan(1);
    for (const obs of others) expect(summary(obs), obs.device).toEqual(alone.get(obs.device));
    // The quiet device's session is gone with its poll; nothing waits on its ids any more.
    expect(shared.openViews()).toBe(0);
  });
});
