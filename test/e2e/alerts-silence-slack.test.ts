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
 * The "Silence 1h" button on a port-down message (snmpsimd's lab-switch, a real block_actions click
 * over Socket Mode): it silences that rule on that device — not the whole device — and the message is
 * re-rendered without the button.
 */
describe("Silence 1h button (emulator)", () => {
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
        alerts: { rules: { port_down: { hold: "0" } }, ports: { explicit: ["lab-sw1:Gi1/0/6"] } },
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
    await sim?.setOperStatus("lab-switch", 6, "up").catch(() => {});
    await poller?.stop();
    collector?.close();
    await app?.stop(2000);
    await emu?.stop();
    core?.close();
    await sim?.stop();
    dir?.cleanup();
  });

  it("silences the rule on the device, not the device, and the button disappears", async () => {
    await sim.setOperStatus("lab-switch", 6, "down");
    clock.advance(60_000);
    await poller.pollAll();
    await core.alerts.process();
    const msg = await emu.waitFor("port-down message", () =>
      emu.workspace.channelMessages("C0ALERTS1").find((m) => JSON.stringify(m.blocks).includes("Gi1/0/6")),
    );
    const silenceButton = (): string | undefined => {
      const blocks = msg.blocks as { type: string; elements?: { action_id?: string; value?: string }[] }[];
      const actions = blocks.filter((b) => b.type === "actions").flatMap((b) => b.elements ?? []);
      return actions.find((e) => e.action_id === "alert.silence")?.value;
    };
    const value = silenceButton();
    expect(value).toBe("device_rule:lab-sw1:port_down:1h");

    const click = await emu.socket.deliver(
      "interactive",
      blockAction({
        actionId: "alert.silence",
        value: value!,
        user: "U0BOB0001",
        channel: "C0ALERTS1",
        messageTs: msg.ts,
        responseUrl: emu.responseUrl("C0ALERTS1", "U0BOB0001"),
      }),
    );
    expect(click.status).toBe("acked");
    await emu.waitFor("message without the button", () => (silenceButton() === undefined ? msg : undefined));
    expect(JSON.stringify(msg.blocks)).toContain("silenced (#1");
    expect(core.services.alerts.silences()).toMatchObject([
      { targetKind: "device_rule", target: "lab-sw1:port_down" },
    ]);

    // Another rule on the same device still alerts: the silence was about the port-down message only.
    core.store.db
      .prepare(
        "INSERT INTO change_log (at, device, kind, object_key, old, new, detail) VALUES (?, 'lab-sw1', 'backup', '', 'ok', 'failed', '{}')",
      )
      .run(clock.now());
    await core.alerts.process();
    const backup = await emu.waitFor("backup message", () =>
      emu.workspace
        .channelMessages("C0ALERTS1")
        .find((m) => JSON.stringify(m.blocks).includes("Config backup failed")),
    );
    expect(JSON.stringify(backup.blocks)).toContain("alert.silence");
    expect(JSON.stringify(backup.blocks)).not.toContain("silenced (#");
  }, 120_000);
});
