import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AlertsSlackBed, startAlertsSlackBed } from "../support/alerts-slack-bed.js";
import { blockAction } from "../support/slack-emulator/index.js";

/**
 * The "Silence 1h" button on a port-down message (snmpsimd's lab-switch, a real block_actions click
 * over Socket Mode): it silences that rule on that device — not the whole device — and the message is
 * re-rendered without the button.
 */
describe("Silence 1h button (emulator)", () => {
  let bed: AlertsSlackBed;

  beforeAll(async () => {
    bed = await startAlertsSlackBed(6);
  }, 120_000);

  afterAll(async () => {
    await bed?.stop();
  });

  it("silences the rule on the device, not the device, and the button disappears", async () => {
    const { sim, emu, core, poller, clock } = bed;
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
