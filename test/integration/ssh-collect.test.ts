import { copyFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createSshRunner, type PooledSshRunner } from "../../src/lib/ssh/runner.js";
import { readChanges } from "../../src/management/change-log.js";
import { createSshCollector, withSshCollector } from "../../src/management/collectors/ssh/index.js";
import { createFleetQueries } from "../../src/management/fleet-queries.js";
import { createPoller } from "../../src/management/poller.js";
import { tempStore } from "../support/mgmt-fixtures.js";
import { type Sshd, startSshd } from "../support/sshd.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/ssh");

let sshd: Sshd;
let runner: PooledSshRunner;
let mgmt: ReturnType<typeof tempStore>;

/** Puts a recorded output where the fixture scripts on the sshd host's PATH replay it from. */
function serve(recorded: string, as: string): void {
  copyFileSync(join(FIXTURES, recorded), join(sshd.fixtureDir, as));
}

beforeAll(async () => {
  sshd = await startSshd();
  runner = createSshRunner({ logger: silentLogger(), idleMs: 60_000 });
  mgmt = tempStore();
  serve("smartctl-scan.json", "smartctl-scan.json");
  serve("smartctl-sda-passing.json", "smartctl-sda.json");
  serve("smartctl-sdb-failing.json", "smartctl-sdb.json");
  serve("smartctl-sdb-failing.exit", "smartctl-sdb.exit");
  serve("smartctl-nvme0-passing.json", "smartctl-nvme0.json");
  serve("mdstat-degraded", "mdstat");
}, 60_000);

afterAll(async () => {
  await runner?.close();
  await sshd?.stop();
  mgmt?.cleanup();
});

describe("SSH drive collection through the poller", { timeout: 60_000 }, () => {
  it("merges SMART and md health into the drive view and logs each transition", async () => {
    const clock = new ManualClock();
    const config = configSchema.parse({
      devices: [
        {
          name: "db1",
          host: "127.0.0.1",
          ssh: {
            user: sshd.user,
            port: sshd.port,
            host_key: sshd.hostKeyLine,
            key_file: sshd.clientKeyPath,
            collect: ["smart", "raid"],
          },
        },
      ],
    });
    const ssh = createSshCollector({ ssh: runner, clock, logger: silentLogger() });
    const poller = createPoller({
      collector: withSshCollector(undefined, ssh, clock),
      store: mgmt.store,
      clock,
      logger: silentLogger(),
      config,
    });
    const fleet = createFleetQueries({ store: mgmt.store, clock, baselines: {} });

    const [first] = await poller.pollAll();
    expect(first).toMatchObject({ device: "db1", reachable: true, error: null });
    const drives = fleet.drives({ scope: { device: "db1" } }).items;
    expect(drives.map((d) => [d.key, d.status])).toEqual([
      ["mdadm:md1", "failed"],
      ["mdadm:md3", "failed"],
      ["smart:/dev/sdb", "failed"],
      ["mdadm:md2", "warning"],
      ["mdadm:md0", "ok"],
      ["smart:/dev/nvme0", "ok"],
      ["smart:/dev/sda", "ok"],
    ]);
    const sdb = drives.find((d) => d.key === "smart:/dev/sdb")!;
    expect(sdb).toMatchObject({ model: "ST4000DM004-2CV104", serial: "ZFN0GT4K", source: "smart" });
    // One disk, one row: md1's faulty member sdb2 is the same drive as SMART's /dev/sdb.
    expect(sdb).toMatchObject({ name: "/dev/sdb", sources: ["mdadm", "smart"] });
    expect(sdb.rawStatus).toMatch(/^mdadm: faulty \(F\) in md1; smart: /);
    expect(sdb.detail).toMatchObject({ reallocatedSectors: 3912, pendingSectors: 264, temperatureC: 41 });
    // First sight logs only what needs attention.
    const firstChanges = readChanges(mgmt.store, { device: "db1" });
    expect(firstChanges.map((c) => `${c.objectKey}:${c.old}->${c.new}`).sort()).toEqual([
      "mdadm:md1:null->failed",
      "mdadm:md1:sdb2:null->failed",
      "mdadm:md2:null->warning",
      "mdadm:md3:null->failed",
      "smart:/dev/sdb:null->failed",
    ]);

    // The failed disk is replaced and the arrays rebuilt.
    serve("smartctl-sda-passing.json", "smartctl-sdb.json");
    rmSync(join(sshd.fixtureDir, "smartctl-sdb.exit"));
    serve("mdstat-clean", "mdstat");
    clock.advance(300_000);
    await poller.pollAll();
    const later = readChanges(mgmt.store, { device: "db1", afterId: firstChanges.at(-1)!.id });
    expect(later.map((c) => `${c.kind} ${c.objectKey}:${c.old}->${c.new}`).sort()).toEqual([
      "drive_removed mdadm:md1:sdb2:failed->null",
      "drive_removed mdadm:md2:warning->null",
      "drive_removed mdadm:md3:failed->null",
      "drive_status mdadm:md1:failed->ok",
      "drive_status smart:/dev/sdb:failed->ok",
    ]);
    // Both polls rode one connection: the pool kept it open between them.
    expect(runner.stats().handshakes).toBe(1);
    await poller.stop();
  });

  it("reports ZFS pools where zpool exists, and keeps SMART data when smartctl breaks", async () => {
    const clock = new ManualClock();
    serve("zpool-list", "zpool-list");
    serve("zpool-status", "zpool-status");
    const ssh = createSshCollector({ ssh: runner, clock, logger: silentLogger() });
    const device = configSchema.parse({
      devices: [
        {
          name: "nas1",
          host: "127.0.0.1",
          ssh: {
            user: sshd.user,
            port: sshd.port,
            host_key: sshd.hostKeyLine,
            key_file: sshd.clientKeyPath,
            collect: ["raid"],
          },
        },
      ],
    }).devices[0]!;
    const obs = await ssh.collect(device);
    expect(obs.reachable).toBe(true);
    expect(obs.drives?.sources).toEqual(["mdadm", "zfs"]);
    expect(obs.drives?.items.filter((d) => d.source === "zfs").map((d) => [d.key, d.status])).toEqual([
      ["zfs:tank", "failed"],
      ["zfs:tank:ata-WDC_WD40EFRX-68N32N0_WD-WCC7K7654321", "failed"],
      ["zfs:tank:ata-WDC_WD40EFRX-68N32N0_WD-WCC7K3333333", "failed"],
      ["zfs:backup", "ok"],
    ]);

    // smartctl missing: an error for "smart", and "smart" is not among the replaced sources.
    writeFileSync(join(sshd.fixtureDir, "smartctl-scan.json"), "not json");
    const broken = await ssh.collect({ ...device, ssh: { ...device.ssh!, collect: ["smart"] } });
    expect(broken.reachable).toBe(true);
    expect(broken.drives).toBeUndefined();
    expect(broken.errors).toEqual([
      { collector: "smart", message: "smartctl --scan -j printed no device list" },
    ]);
    serve("smartctl-scan.json", "smartctl-scan.json");
  });

  it("an unpinned host is unreachable with the fingerprint in the error, and nothing is replaced", async () => {
    const clock = new ManualClock();
    const ssh = createSshCollector({ ssh: runner, clock, logger: silentLogger() });
    const device = configSchema.parse({
      devices: [
        {
          name: "rogue",
          host: "127.0.0.1",
          ssh: {
            user: sshd.user,
            port: sshd.port,
            known_hosts: join(sshd.dir, "empty_known_hosts"),
            key_file: sshd.clientKeyPath,
            collect: ["smart", "raid"],
          },
        },
      ],
    }).devices[0]!;
    writeFileSync(join(sshd.dir, "empty_known_hosts"), "");
    const obs = await ssh.collect(device);
    expect(obs.reachable).toBe(false);
    expect(obs.drives).toBeUndefined();
    expect(obs.errors[0]!.message).toMatch(/^HOST_KEY_REJECTED: .*has no key for 127\.0\.0\.1.*SHA256:/);
  });
});
