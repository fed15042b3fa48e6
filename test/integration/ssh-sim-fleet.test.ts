import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema, deviceSchema } from "../../src/config/schema.js";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createSshRunner, type PooledSshRunner } from "../../src/lib/ssh/runner.js";
import { createBackupService } from "../../src/management/backups/backup-service.js";
import { createSshCollector } from "../../src/management/collectors/ssh/index.js";
import { type SimulatedSshFleet, startSshFleet, withSshSections } from "../../src/sim/ssh-fleet.js";
import { tempStore } from "../support/mgmt-fixtures.js";

let fleet: SimulatedSshFleet;
let runner: PooledSshRunner;
let mgmt: ReturnType<typeof tempStore>;

beforeAll(async () => {
  fleet = await startSshFleet();
  runner = createSshRunner({ logger: silentLogger() });
  mgmt = tempStore();
});

afterAll(async () => {
  await runner?.close();
  await fleet?.stop();
  mgmt?.cleanup();
});

describe("the demo's simulated SSH fleet", { timeout: 60_000 }, () => {
  it("db01 reports its failing disk and degraded array over pinned SSH", async () => {
    const db01 = fleet.devices.find((d) => d.name === "db01")!;
    const obs = await createSshCollector({
      ssh: runner,
      clock: new ManualClock(),
      logger: silentLogger(),
    }).collect(db01);
    const failing = obs.drives?.items.filter((d) => d.status === "failed").map((d) => d.key);
    expect(failing).toEqual(["smart:/dev/sdb", "mdadm:md0", "mdadm:md0:sdb1"]);
  });

  it("core-sw1's config is backed up with secrets masked, and the colleague's change shows in the diff", async () => {
    const config = configSchema.parse({ devices: fleet.devices });
    const backups = createBackupService({
      ssh: runner,
      store: mgmt.store,
      clock: new ManualClock(),
      logger: silentLogger(),
      config,
    });
    expect(await backups.runNow("core-sw1")).toMatchObject({ result: "first" });
    expect(await backups.runNow("core-sw1")).toMatchObject({ result: "changed", added: 1, removed: 1 });
    const d = backups.diff("core-sw1")!;
    expect(d.patch).toContain("+ switchport access vlan 30");
    const current = mgmt.store.db
      .prepare("SELECT content FROM backup_version WHERE device = 'core-sw1' ORDER BY id DESC LIMIT 1")
      .pluck()
      .get() as string;
    expect(current).toContain("enable secret 9 <masked>");
    expect(current).toContain("snmp-server community <masked> RO");
    expect(current).not.toContain("Last configuration change");
    expect((await backups.runNow("db01")).result).toBe("first");
  });

  it("adds ssh and backup sections to same-named SNMP devices", () => {
    const snmp = [
      deviceSchema.parse({ name: "db01", host: "127.0.0.1", snmp: { community: "c" } }),
      deviceSchema.parse({ name: "edge-sw3", host: "127.0.0.1", snmp: { community: "c" } }),
    ];
    const merged = withSshSections(snmp, fleet.devices);
    expect(merged.map((d) => [d.name, !!d.snmp, !!d.ssh, !!d.backup])).toEqual([
      ["db01", true, true, true],
      ["edge-sw3", true, false, false],
      ["web01", false, true, true],
      ["core-sw1", false, true, true],
    ]);
  });
});
