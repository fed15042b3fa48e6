import { join } from "node:path";
import { createSlackApp, type SlackApp } from "../../src/chat/slack/app.js";
import { parseConfig } from "../../src/config/load.js";
import { ManualClock, systemClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { type Core, createCore } from "../../src/main.js";
import { createSnmpCollector, type SnmpCollector } from "../../src/management/collectors/snmp/index.js";
import { createPoller, type Poller } from "../../src/management/poller.js";
import { type SlackEmulator, startSlackEmulator } from "./slack-emulator/index.js";
import { type SnmpsimAgent, startSnmpsim } from "./snmp-agents.js";
import { tempDir } from "./temp.js";

/**
 * Alerts through Slack: snmpsimd's lab-switch as device lab-sw1 (port `port` watched, no hold time)
 * → poller → alert engine → the Bolt app's outbox → the Slack emulator (channel C0ALERTS1), with
 * U0BOB0001 on call. The first poll and alert pass have run; the clock is manual.
 */
export interface AlertsSlackBed {
  sim: SnmpsimAgent;
  emu: SlackEmulator;
  core: Core;
  poller: Poller;
  clock: ManualClock;
  stop(): Promise<void>;
}

export async function startAlertsSlackBed(port: number): Promise<AlertsSlackBed> {
  const clock = new ManualClock();
  const sim = await startSnmpsim({ fixtures: ["lab-switch"] });
  const emu = await startSlackEmulator({ rateLimits: { channelIntervalMs: 200 } });
  const dir = tempDir();
  const lab = sim.device("lab-switch", { name: "lab-sw1", collect: ["system", "interfaces"] });
  const config = parseConfig(
    JSON.stringify({
      roles: { oncall: ["U0BOB0001"] },
      channels: { alerts: "C0ALERTS1" },
      alerts: { rules: { port_down: { hold: "0" } }, ports: { explicit: [`lab-sw1:Gi1/0/${port}`] } },
      devices: [{ ...lab, tags: ["network"] }],
    }),
    "test.yaml",
    {},
  );
  const app: SlackApp = createSlackApp({
    settings: { mode: "socket", botToken: emu.botToken, appToken: emu.appToken, apiUrl: emu.apiUrl },
    config,
    clock: systemClock,
    logger: silentLogger(),
    channelIntervalMs: 200,
  });
  const core = createCore({
    config,
    dbPath: join(dir.path, "opsbot.db"),
    logger: silentLogger(),
    chat: app.chat,
    clock,
  });
  await app.start(core.router);
  await emu.socket.waitForConnection();
  const collector: SnmpCollector = createSnmpCollector({ logger: silentLogger(), clock });
  const poller = createPoller({ collector, store: core.store, clock, logger: silentLogger(), config });
  await poller.pollAll();
  await core.alerts.process();
  return {
    sim,
    emu,
    core,
    poller,
    clock,
    async stop() {
      await sim.setOperStatus("lab-switch", port, "up").catch(() => {});
      await poller.stop();
      collector.close();
      await app.stop(2000);
      await emu.stop();
      core.close();
      await sim.stop();
      dir.cleanup();
    },
  };
}
