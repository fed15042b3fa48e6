import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { type Config, deviceSchema } from "../../src/config/schema.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createAlertService } from "../../src/management/alerts/service.js";
import { createSnmpCollector, type SnmpCollector } from "../../src/management/collectors/snmp/index.js";
import { createPoller } from "../../src/management/poller.js";
import { type TestCore, testCore } from "../support/core.js";
import { type SnmpsimAgent, startSnmpsim } from "../support/snmp-agents.js";

/**
 * Firmware drift is a condition: snmpsimd's switch48 (a C9300-48P on 17.03.04) polled through the real
 * collector and poller; the alert engine must alert for a device already below its baseline at its
 * first poll, or once a baseline is tightened, exactly once, and recover when it is fixed.
 */
const MIN = 60_000;
let sim: SnmpsimAgent;
let collector: SnmpCollector;
let core: TestCore | undefined;

beforeAll(async () => {
  sim = await startSnmpsim({ fixtures: ["switch48"] });
  collector = createSnmpCollector({ logger: silentLogger(), clock: { now: () => Date.now() } });
}, 120_000);
afterAll(async () => {
  collector?.close();
  await sim?.stop();
});
afterEach(() => {
  core?.cleanup();
  core = undefined;
});

function setup(min: string) {
  const device = {
    ...deviceSchema.parse(sim.device("switch48", { name: "fw-sw1", collect: ["system", "entity"] })),
  };
  core = testCore(
    JSON.stringify({
      alerts: { default_channel: "C-NET" },
      firmware_baselines: { "C9300-*": { min } },
      devices: [device],
    }),
  );
  const c = core;
  const config = c.services.config as Config;
  const poller = createPoller({ collector, store: c.store, clock: c.clock, logger: silentLogger(), config });
  const drift = () =>
    c.chat.posts.filter((p) => !p.threadTs && replyToPlainText(p.reply).includes("Firmware drift"));
  return {
    c,
    drift,
    async poll() {
      c.clock.advance(5 * MIN);
      await poller.pollAll();
      await c.services.alerts.process();
    },
    /** A restart with another baseline: a new alert engine over the same store. */
    async rebaseline(newMin: string) {
      c.services.alerts = createAlertService({
        store: c.store,
        clock: c.clock,
        chat: c.chat,
        config: { ...config, firmware_baselines: { "C9300-*": { min: newMin } } },
        logger: silentLogger(),
      });
      await c.services.alerts.process();
    },
    async stop() {
      await poller.stop();
    },
  };
}

describe("firmware drift for a device already below baseline", () => {
  it("alerts at the first poll, once, and recovers when the baseline is met", async () => {
    const s = setup("17.9.4");
    await s.poll();
    expect(s.drift()).toHaveLength(1);
    expect(replyToPlainText(s.drift()[0]!.reply)).toMatch(
      /Firmware drift — fw-sw1[\s\S]*17\.03\.04 \(baseline min 17\.9\.4\)/,
    );
    await s.poll();
    await s.poll();
    expect(s.drift()).toHaveLength(1);
    expect(s.c.services.alerts.list("fw-sw1").filter((a) => a.rule === "firmware_drift")).toHaveLength(1);

    await s.rebaseline("17.3.1"); // the fix: the required version is what it runs
    const ts = s.drift()[0]!.ts;
    const thread = s.c.chat.posts.filter((p) => p.threadTs === ts).map((p) => replyToPlainText(p.reply));
    expect(thread.join("\n")).toMatch(/fw-sw1 recovered after/);
    expect(s.c.services.alerts.list("fw-sw1").filter((a) => a.rule === "firmware_drift")).toHaveLength(0);
    await s.stop();
  });

  it("alerts once when a baseline is tightened above what a device already runs", async () => {
    const s = setup("17.1.1");
    await s.poll();
    expect(s.drift()).toHaveLength(0);
    await s.rebaseline("17.6.0");
    expect(s.drift()).toHaveLength(1);
    await s.poll();
    await s.rebaseline("17.6.0"); // another restart with the same config
    await s.poll();
    expect(s.drift()).toHaveLength(1);
    await s.stop();
  });
});
