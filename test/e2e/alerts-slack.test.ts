import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AlertsSlackBed, startAlertsSlackBed } from "../support/alerts-slack-bed.js";
import { blockAction } from "../support/slack-emulator/index.js";

/**
 * One alert all the way through Slack: a port flipped on snmpsimd's lab-switch → poller → alert engine →
 * the Bolt app's outbox → the emulated Slack channel; Bob clicks Ack (a real block_actions payload over
 * Socket Mode) → the message is updated; the port comes back → the message is updated again and the
 * recovery is said in its thread.
 */
describe("alerts through Slack (emulator)", () => {
  let bed: AlertsSlackBed;

  beforeAll(async () => {
    bed = await startAlertsSlackBed(5);
  }, 120_000);

  afterAll(async () => {
    await bed?.stop();
  });

  it("posts the alert, takes an Ack click, and announces recovery in the thread", async () => {
    const { sim, emu, core, poller, clock } = bed;
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
