import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createSnmpCollector, type SnmpCollector } from "../../src/management/collectors/snmp/index.js";
import { type HostileRelay, startHostileRelay } from "../support/hostile-udp.js";
import { freeUdpPort, type SnmpsimAgent, startSnmpsim } from "../support/snmp-agents.js";

/** What happens when agents are absent, refuse us, or send garbage. */
describe("SNMP collector failure modes", () => {
  let sim: SnmpsimAgent;
  let collector: SnmpCollector;
  const relays: HostileRelay[] = [];

  beforeAll(async () => {
    sim = await startSnmpsim({ fixtures: ["switch48"] });
    collector = createSnmpCollector({ logger: silentLogger(), clock: new ManualClock() });
  }, 90_000);

  afterAll(async () => {
    collector?.close();
    await Promise.all(relays.map((r) => r.stop()));
    await sim?.stop();
  });

  it("nothing listening: one CollectorError, unreachable, the other collectors not even tried", async () => {
    const port = await freeUdpPort();
    const obs = await collector.collect(
      sim.device("switch48", { name: "ghost", port, timeout_ms: 200, retries: 0 }),
    );
    expect(obs).toMatchObject({ device: "ghost", reachable: false });
    expect(obs.errors).toEqual([
      { collector: "system", message: `no response from 127.0.0.1:${port} within 200 ms (1 attempt)` },
    ]);
    expect(obs.system).toBeUndefined();
    expect(obs.interfaces).toBeUndefined();
  });

  it("wrong community: the agent stays silent, so the device is unreachable", async () => {
    const obs = await collector.collect(
      sim.device("switch48", { community: "not-the-community", timeout_ms: 300, retries: 1 }),
    );
    expect(obs.reachable).toBe(false);
    expect(obs.errors).toEqual([
      { collector: "system", message: `no response from 127.0.0.1:${sim.port} within 300 ms (2 attempts)` },
    ]);
  });

  it("garbage sent to the poller's socket before the real answers: the poll still succeeds", async () => {
    const relay = await startHostileRelay({ agentPort: sim.port, forward: true });
    relays.push(relay);
    const device = sim.device("switch48", { port: relay.port });
    const obs = await collector.collect(device);
    expect(obs.errors).toEqual([]);
    expect(obs.reachable).toBe(true);
    expect(obs.interfaces).toHaveLength(53);
    expect(obs.entity?.serial).toBe("FOC2231X0AB");
    expect(relay.garbageSent).toBeGreaterThan(20);
  });

  it("an agent that answers only garbage: unreachable, and the next poll of a real agent works", async () => {
    const relay = await startHostileRelay({ forward: false });
    relays.push(relay);
    const obs = await collector.collect(
      sim.device("switch48", { port: relay.port, timeout_ms: 300, retries: 1 }),
    );
    expect(obs.reachable).toBe(false);
    expect(obs.errors).toHaveLength(1);
    expect(obs.errors[0]!.message).toMatch(/^no response from/);
    expect(relay.garbageSent).toBeGreaterThanOrEqual(16);

    const next = await collector.collect(sim.device("switch48"));
    expect(next.errors).toEqual([]);
    expect(next.interfaces).toHaveLength(53);
  });

  it("works with one outstanding request per agent, and several devices polled at once", async () => {
    const strict = createSnmpCollector({
      logger: silentLogger(),
      clock: new ManualClock(),
      maxOutstandingPerAgent: 1,
    });
    try {
      const results = await Promise.all(
        ["a", "b", "c"].map((n) => strict.collect(sim.device("switch48", { name: `sw-${n}` }))),
      );
      for (const obs of results) {
        expect(obs.errors).toEqual([]);
        expect(obs.interfaces).toHaveLength(53);
        expect(obs.entity?.model).toBe("C9300-48P");
      }
      expect(results.map((r) => r.device)).toEqual(["sw-a", "sw-b", "sw-c"]);
    } finally {
      strict.close();
    }
  });

  it("a poll that outlives its deadline ends with a clear error, and shutting down ends polls in flight", async () => {
    const slow = await startHostileRelay({
      agentPort: sim.port,
      forward: true,
      garbage: false,
      delayMs: 400,
    });
    relays.push(slow);
    const device = sim.device("switch48", { port: slow.port, timeout_ms: 2000, retries: 0 });
    const late = await collector.collect(device, { deadlineMs: 150 });
    expect(late.reachable).toBe(false);
    expect(late.errors).toEqual([{ collector: "system", message: "poll exceeded its 0.15 s deadline" }]);

    const closing = createSnmpCollector({ logger: silentLogger(), clock: new ManualClock() });
    const inFlight = closing.collect(device);
    await new Promise((resolve) => setTimeout(resolve, 50));
    closing.close();
    const ended = await inFlight;
    expect(ended.errors).toEqual([{ collector: "system", message: "the SNMP collector is shutting down" }]);
  });

  it("a closed collector refuses to poll, and a device without snmp config is an error, not a throw", async () => {
    const closed = createSnmpCollector({ logger: silentLogger(), clock: new ManualClock() });
    closed.close();
    const obs = await closed.collect(sim.device("switch48"));
    expect(obs).toMatchObject({
      reachable: false,
      errors: [{ collector: "snmp", message: "the SNMP collector is shut down" }],
    });

    const noSnmp = await collector.collect({ name: "ssh-only", host: "127.0.0.1", tags: [] });
    expect(noSnmp.errors).toEqual([
      { collector: "snmp", message: "device ssh-only has no snmp section in the config" },
    ]);
  });
});
