import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSlackApp, type SlackApp } from "../../src/chat/slack/app.js";
import { parseConfig } from "../../src/config/load.js";
import { ManualClock, systemClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { type Core, createCore } from "../../src/main.js";
import { createSnmpCollector, type SnmpCollector } from "../../src/management/collectors/snmp/index.js";
import { createPoller, type Poller } from "../../src/management/poller.js";
import { blockAction, type SlackEmulator, startSlackEmulator } from "../support/slack-emulator/index.js";
import { type SnmpsimAgent, startSnmpsim } from "../support/snmp-agents.js";
import { tempDir } from "../support/temp.js";

/**
 * One alert all the way through Slack: a port flipped on snmpsimd's lab-switch → poller → alert engine →
 * the Bolt app's outbox → the emulated Slack channel; Bob clicks Ack (a real block_actions payload over
 * Socket Mode) → the message is updated; the port comes back → the message is updated again and the
 * recovery is said in its thread.
 */
describe("alerts through Slack (emulator)", () => {
  let sim: SnmpsimAgent;
  let emu: SlackEmulator;
  let app: SlackApp;
  let core: Core;
  let poller: Poller;
  let collector: SnmpCollector;
  let dir: ReturnType<typeof tempDir>;
  const clock = new ManualClock();

  beforeAll(async () => {
    sim = await startSnmpsim({ fixtures: ["lab-switch"] });
    emu = await startSlackEmulator({ rateLimits: { channelIntervalMs: 200 } });
    dir = tempDir();
    const lab = sim.device("lab-switch", { name: "lab-sw1", collect: ["system", "interfaces"] });
    const config = parseConfig(
      JSON.stringify({
        roles: { oncall: ["U0BOB0001"] },
        channels: { alerts: "C0ALERTS1" },
        alerts: { rules: { port_down: { hold: "0" } }, ports: { explicit: ["lab-sw1:Gi1/0/5"] } },
        devices: [{ ...lab, tags: ["network"] }],
      }),
      "test.yaml",
      {},
    );
    app = createSlackApp({
      settings: { mode: "socket", botToken: emu.botToken, appToken: emu.appToken, apiUrl: emu.apiUrl },
      config,
      clock: systemClock,
      logger: silentLogger(),
      channelIntervalMs: 200,
    });
    core = createCore({
      config,
      dbPath: join(dir.path, "opsbot.db"),
      logger: silentLogger(),
      chat: app.chat,
      clock,
    });
    await app.start(core.router);
    await emu.socket.waitForConnection();
    collector = createSnmpCollector({ logger: silentLogger(), clock });
    poller = createPoller({ collector, store: core.store, clock, logger: silentLogger(), config });
    await poller.pollAll();
    await core.alerts.process();
  }, 120_000);

  afterAll(async () => {
    await sim?.setOperStatus("lab-switch", 5, "up").catch(() => {});
    await poller?.stop();
    collector?.close();
    await app?.stop(2000);
    await emu?.stop();
    core?.close();
    await sim?.stop();
    dir?.cleanup();
  });

  it("posts the alert, takes an Ack click, and announces recovery in the thread", async () => {
    await sim.setOperStatus("lab-switch", 5, "down");
    clock.advance(60_000);
    await poller.pollAll();
    await core.alerts.process();
    const msg = await emu.waitFor("alert message", () =>
      emu.workspace.channelMessages("C0ALERTS1").find((m) => JSON.stringify(m.blocks).includes("Gi1/0/5")),
    );
    expect(JSON.stringify(msg.blocks)).toContain("Port down — lab-sw1");
    const group = core.store.db.prepare("SELECT id FROM alert_group").get() as { id: number };

    const ack = await emu.socket.deliver(
      "interactive",
      blockAction({
        actionId: "alert.ack",
        value: String(group.id),
        user: "U0BOB0001",
        channel: "C0ALERTS1",
        messageTs: msg.ts,
        responseUrl: emu.responseUrl("C0ALERTS1", "U0BOB0001"),
      }),
    );
    expect(ack.status).toBe("acked");
    await emu.waitFor("acked update", () =>
      JSON.stringify(msg.blocks).includes("acked by") ? msg : undefined,
    );

    await sim.setOperStatus("lab-switch", 5, "up");
    clock.advance(60_000);
    await poller.pollAll();
    await core.alerts.process();
    await emu.waitFor("resolved update", () =>
      JSON.stringify(msg.blocks).includes("Resolved") ? msg : undefined,
    );
    const note = await emu.waitFor("recovery in thread", () =>
      emu.workspace
        .channelMessages("C0ALERTS1", { threadTs: msg.ts })
        .find((m) => m.text.includes("recovered after")),
    );
    expect(note.text).toContain("Gi1/0/5 recovered after 1m 0s");
    expect(emu.workspace.channelMessages("C0ALERTS1").filter((m) => m.threadTs === undefined)).toHaveLength(
      1,
    );
  }, 120_000);
});
