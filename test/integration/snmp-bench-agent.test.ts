import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReplayAgent } from "../../bench/support/replay-agent.js";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createSnmpCollector, type SnmpCollector } from "../../src/management/collectors/snmp/index.js";
import { FIXTURE_DIR, type SnmpsimAgent, startSnmpsim } from "../support/snmp-agents.js";

/**
 * bench/snmp-poll.ts measures the poller against a purpose-built replay agent (snmpsimd is far too
 * slow to keep up). Its numbers only mean something if that agent answers exactly like snmpsimd.
 */
describe("benchmark replay agent", () => {
  let sim: SnmpsimAgent;
  let collector: SnmpCollector;
  const fixtures = ["switch48", "no-entity", "server-failed-disk", "netapp"];

  beforeAll(async () => {
    sim = await startSnmpsim({ fixtures });
    collector = createSnmpCollector({ logger: silentLogger(), clock: new ManualClock() });
  }, 90_000);

  afterAll(async () => {
    collector?.close();
    await sim?.stop();
  });

  it.each(fixtures)("serves %s exactly like snmpsimd", async (fixture) => {
    const replay = await startReplayAgent(join(FIXTURE_DIR, `${fixture}.snmprec`), fixture);
    try {
      const viaSnmpsim = await collector.collect(sim.device(fixture));
      const viaReplay = await collector.collect(sim.device(fixture, { port: replay.port }));
      expect(viaSnmpsim.errors).toEqual([]);
      expect(viaReplay).toEqual(viaSnmpsim);
    } finally {
      replay.socket.close();
    }
  });

  it("stays silent for a wrong community, like an agent", async () => {
    const replay = await startReplayAgent(join(FIXTURE_DIR, "switch48.snmprec"), "switch48");
    try {
      const obs = await collector.collect(
        sim.device("switch48", { port: replay.port, community: "nope", timeout_ms: 200, retries: 0 }),
      );
      expect(obs.reachable).toBe(false);
    } finally {
      replay.socket.close();
    }
  });
});
