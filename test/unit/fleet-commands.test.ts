import { afterEach, beforeEach, describe, expect, it } from "vitest";
import deviceCommand from "../../commands/device.js";
import drivesCommand from "../../commands/drives.js";
import drivesFailingCommand from "../../commands/drives-failing.js";
import firmwareCommand from "../../commands/firmware.js";
import firmwareDriftCommand from "../../commands/firmware-drift.js";
import fleetCommand from "../../commands/fleet.js";
import linksCommand from "../../commands/links.js";
import linksDownCommand from "../../commands/links-down.js";
import refreshCommand from "../../commands/refresh.js";
import type { Services } from "../../commands/services.js";
import { ManualClock } from "../../src/lib/clock.js";
import { createFleetQueries } from "../../src/management/fleet-queries.js";
import { recordPoll } from "../../src/management/record-poll.js";
import type { StateRepo } from "../../src/management/state-repo.js";
import {
  drive,
  observation,
  port,
  registration,
  seededRepo,
  tempStore,
  unreachable,
} from "../support/mgmt-fixtures.js";
import { ask, servicesFor } from "../support/mgmt-services.js";

const MIN = 60_000;
const entity = (model: string, softwareRev: string) => ({
  model,
  serial: "FOC123",
  hardwareRev: "V01",
  firmwareRev: "",
  softwareRev,
  source: "entity-mib" as const,
});

describe("management chat commands", () => {
  let ctx: ReturnType<typeof tempStore>;
  let clock: ManualClock;
  let repo: StateRepo;
  let services: Services;

  beforeEach(() => {
    ctx = tempStore();
    clock = new ManualClock();
    repo = seededRepo(ctx.store, [
      registration("core-sw1", { tags: ["core"], site: "ams1" }),
      registration("core-sw2", { tags: ["core"], site: "ams1" }),
      registration("db1", { tags: ["servers"], site: "fra1" }),
    ]);
    const fleet = createFleetQueries({
      store: ctx.store,
      clock,
      baselines: { "WS-C3850-48P": { min: "16.12.4" } },
    });
    services = servicesFor({ store: ctx.store, clock, fleet });
    recordPoll(
      ctx.store,
      repo,
      observation("core-sw1", clock.now(), {
        entity: entity("WS-C3850-48P", "16.9.8"),
        interfaces: [
          port(1, { alias: "uplink fw1", inErrors: 3, outErrors: 1 }),
          port(2, { alias: "to db1", operStatus: "down", lastChangeCs: 0 }),
          port(3, { adminStatus: "down", operStatus: "down" }),
        ],
      }),
    );
    recordPoll(
      ctx.store,
      repo,
      observation("db1", clock.now(), {
        drives: {
          sources: ["idrac"],
          items: [
            drive("idrac:0"),
            drive("idrac:1", { status: "failed", rawStatus: "failed(2)", detail: { slot: 1 } }),
          ],
        },
      }),
    );
    clock.advance(2 * MIN);
  });
  afterEach(() => ctx.cleanup());

  it("links <device> lists every port with status, speed, error rates and the data age", async () => {
    const { text, reply } = await ask(linksCommand, services, { device: "core-sw1" });
    expect(text).toContain("core-sw1: 3 ports, 1 down");
    // One poll: no rate yet, shown as unknown; the lifetime totals (3/1) are in the data (--json) only.
    expect(text).toContain("Gi1/0/1 | uplink fw1 | up | 1G |  | — / —");
    expect((reply.data!.ports as Record<string, unknown>[])[0]).toMatchObject({
      name: "Gi1/0/1",
      inErrors: 3,
      outErrors: 1,
      errorsPerSecond: null,
    });
    expect(text).toContain("Gi1/0/3 |  | down (admin down) | 1G");
    expect(text).toContain("data 2m old");
  });

  it("links <device> <filter> narrows the ports", async () => {
    const { text } = await ask(linksCommand, services, { device: "CORE-SW1", filter: "down" });
    expect(text).toContain('1 port matching "down" of 3');
    expect(text).toContain("Gi1/0/2 | to db1 | down");
    expect(text).not.toContain("Gi1/0/1 |");
  });

  it("links on an unknown device suggests close names", async () => {
    await expect(ask(linksCommand, services, { device: "core-sw3" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: 'No device named "core-sw3".',
      details: ["Did you mean core-sw1, core-sw2?"],
    });
  });

  it("links on a device never polled says so", async () => {
    const { text } = await ask(linksCommand, services, { device: "core-sw2" });
    expect(text).toContain("has not been polled");
    expect(text).toContain("no data yet (never polled)");
  });

  it("links on an unreachable device shows its last data, flagged", async () => {
    recordPoll(ctx.store, repo, unreachable("core-sw1", clock.now()));
    clock.advance(10 * MIN);
    const { text } = await ask(linksCommand, services, { device: "core-sw1" });
    expect(text).toContain(
      "core-sw1 is not answering (1 failed poll, last reached 12m ago): system: Request timed out",
    );
    expect(text).toContain("Gi1/0/1");
    expect(text).toContain("⚠ stale: data 12m old (polled every 5m)");
  });

  it("links down lists admin-up oper-down ports by scope", async () => {
    const all = await ask(linksDownCommand, services, {});
    expect(all.text).toContain("1 port down on 1 device in the fleet");
    expect(all.text).toMatch(/core-sw1 \| Gi1\/0\/2 \| to db1 \| down \| \d+d \| 0\/0 \| 2m/);
    const servers = await ask(linksDownCommand, services, { scope: "servers" });
    expect(servers.text).toContain("No ports down in tag servers");
    await expect(ask(linksDownCommand, services, { scope: "cor" })).rejects.toMatchObject({
      details: ["Did you mean core, core-sw1, core-sw2?"],
    });
  });

  it("drives and drives failing put failed drives first with the vendor value", async () => {
    const all = await ask(drivesCommand, services, { device: "db1" });
    expect(all.text).toContain("2 drives on db1, 1 need attention");
    expect(all.text.indexOf("failed(2)")).toBeLessThan(all.text.indexOf("online(3)"));
    expect(all.text).toContain("slot=1");
    const failing = await ask(drivesFailingCommand, services);
    expect(failing.text).toContain("1 drive need attention on 1 device");
    expect(failing.text).toContain("db1 | Physical Disk idrac:1 | 🔴 failed | failed(2) | idrac");
    expect(failing.text).not.toContain("online(3)");
  });

  it("firmware and firmware drift judge versions against the baselines", async () => {
    const fw = await ask(firmwareCommand, services, { scope: "core" });
    expect(fw.text).toContain("Firmware in tag core: 2 devices, 1 not compliant");
    expect(fw.text).toContain("core-sw1 | WS-C3850-48P | 16.9.8 | ≥ 16.12.4 | ❌ below baseline");
    const drift = await ask(firmwareDriftCommand, services);
    expect(drift.text).toContain("1 device off baseline");
    expect(drift.text).not.toContain("db1");
  });

  it("device summarises one device", async () => {
    const { text } = await ask(deviceCommand, services, { name: "core-sw1" });
    expect(text).toContain("core-sw1 (127.0.0.1)");
    expect(text).toContain("Version: 16.9.8 (below baseline: ≥ 16.12.4)");
    expect(text).toContain("Ports: 3: 1 up, 1 down, 1 admin down");
    expect(text).toContain("port_oper Gi1/0/2: (new) → down");
    expect(text).toContain("data 2m old");
  });

  it("fleet counts devices, ports down, drives failing and drift, and flags stale data", async () => {
    const { text } = await ask(fleetCommand, services);
    expect(text).toContain("Fleet: 3 devices");
    expect(text).toContain("Reachable: 2 of 3, 1 not polled yet");
    expect(text).toContain("Ports down: 1");
    expect(text).toContain("Drives: 1 failed, 0 warning");
    expect(text).toContain("Firmware: 1 off baseline");
    expect(text).toContain("Stale data: 1 device with data older than two poll intervals");
  });

  it("refresh needs a poller and a known device", async () => {
    await expect(ask(refreshCommand, services, { device: "core-sw1" })).rejects.toMatchObject({
      code: "UNAVAILABLE",
    });
    expect(refreshCommand).toMatchObject({ sideEffects: true, role: "oncall" });
  });
});
