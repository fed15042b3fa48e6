import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mdObservations, parseMdstat } from "../../src/management/collectors/ssh/mdstat-parse.js";
import {
  parseSmartScan,
  smartExitBits,
  smartObservation,
} from "../../src/management/collectors/ssh/smart-parse.js";
import {
  parseZpoolList,
  parseZpoolStatus,
  zfsObservations,
} from "../../src/management/collectors/ssh/zpool-parse.js";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "../fixtures/ssh", name), "utf8");

describe("smartctl", () => {
  it("lists scanned devices with their -d type", () => {
    expect(parseSmartScan(fixture("smartctl-scan.json"))).toEqual([
      { name: "/dev/sda", type: "sat" },
      { name: "/dev/sdb", type: "sat" },
      { name: "/dev/nvme0", type: "nvme" },
    ]);
    expect(() => parseSmartScan("smartctl: command not found")).toThrow(/no device list/);
  });

  it("decodes the exit-status bitmask", () => {
    expect(smartExitBits(24)).toMatchObject({ failing: true, prefailNow: true, openFailed: false });
    expect(smartExitBits(2)).toMatchObject({ openFailed: true, failing: false });
    expect(smartExitBits(4 | 64)).toMatchObject({ commandFailed: true, errorLog: true, failing: false });
  });

  it("a passing disk is ok, with its key counters and temperature", () => {
    const o = smartObservation({ name: "/dev/sda", type: "sat" }, fixture("smartctl-sda-passing.json"), 0);
    expect(o).toEqual({
      key: "smart:/dev/sda",
      name: "/dev/sda",
      source: "smart",
      kind: "disk",
      status: "ok",
      rawStatus: "PASSED",
      model: "WDC WD40EFRX-68N32N0",
      serial: "WD-WCC7K1234567",
      capacityBytes: 4000787030016,
      detail: {
        exitStatus: 0,
        reallocatedSectors: 0,
        pendingSectors: 0,
        uncorrectableSectors: 0,
        temperatureC: 34,
        powerOnHours: 43912,
      },
    });
  });

  it("a failing disk is failed, with the failing attribute named", () => {
    const o = smartObservation({ name: "/dev/sdb", type: "sat" }, fixture("smartctl-sdb-failing.json"), 24);
    expect(o.status).toBe("failed");
    expect(o.rawStatus).toBe("FAILED");
    expect(o.detail).toMatchObject({
      exitStatus: 24,
      reallocatedSectors: 3912,
      pendingSectors: 264,
      uncorrectableSectors: 264,
      reportedUncorrect: 1042,
      temperatureC: 41,
    });
    expect(o.detail?.notes).toContain("Reallocated_Sector_Ct failing now (5 ≤ 10)");
  });

  it("an NVMe disk reads its health log", () => {
    const o = smartObservation(
      { name: "/dev/nvme0", type: "nvme" },
      fixture("smartctl-nvme0-passing.json"),
      0,
    );
    expect(o).toMatchObject({ status: "ok", model: "Samsung SSD 980 PRO 1TB", capacityBytes: 1000204886016 });
    expect(o.detail).toMatchObject({
      mediaErrors: 0,
      criticalWarning: 0,
      temperatureC: 38,
      percentageUsed: 2,
    });
  });

  it("pending sectors on a disk that still passes are a warning", () => {
    const json = JSON.parse(fixture("smartctl-sda-passing.json"));
    json.ata_smart_attributes.table.find((a: { id: number }) => a.id === 197).raw.value = 8;
    const o = smartObservation({ name: "/dev/sda", type: "sat" }, JSON.stringify(json), 0);
    expect(o).toMatchObject({ status: "warning", rawStatus: "PASSED" });
  });

  it("bits 0–2 are command errors, not disk errors", () => {
    const o = smartObservation({ name: "/dev/sdz", type: "sat" }, "Smartctl open device: /dev/sdz failed", 2);
    expect(o).toMatchObject({ status: "unknown", rawStatus: "smartctl exit 2" });
    expect(o.detail?.error).toContain("open device");
    // A failed SMART sub-command with a readable health verdict still reports the verdict.
    const partial = smartObservation(
      { name: "/dev/sda", type: "sat" },
      fixture("smartctl-sda-passing.json"),
      4,
    );
    expect(partial.status).toBe("ok");
  });
});

describe("/proc/mdstat", () => {
  const arrays = parseMdstat(fixture("mdstat-degraded"));

  it("parses arrays, members and flags, counts and progress", () => {
    expect(arrays.map((a) => a.name)).toEqual(["md1", "md2", "md0", "md3"]);
    expect(arrays[0]).toMatchObject({
      state: "active",
      level: "raid1",
      raidDisks: 2,
      activeDisks: 1,
      map: "U_",
      members: [
        { device: "sdb2", index: 1, flags: ["F"] },
        { device: "sda2", index: 0, flags: [] },
      ],
    });
    expect(arrays[1]).toMatchObject({ action: "recovery", progressPct: 12.6, finishMin: 158.4, map: "UUU_" });
    expect(arrays[3]).toMatchObject({ state: "inactive", members: [{ device: "sdh1", flags: ["S"] }] });
  });

  it("degraded is failed, rebuilding is a warning, inactive is failed, and failed members are listed", () => {
    const obs = mdObservations(arrays);
    const by = Object.fromEntries(obs.map((o) => [o.key, o]));
    expect(by["mdadm:md1"]).toMatchObject({
      status: "failed",
      rawStatus: "active raid1 [2/1] [U_]",
      kind: "array",
      capacityBytes: 975585280 * 1024,
    });
    expect(by["mdadm:md1"]!.detail).toMatchObject({ failedMembers: "sdb2" });
    expect(by["mdadm:md1:sdb2"]).toMatchObject({
      status: "failed",
      kind: "disk",
      rawStatus: "faulty (F) in md1",
    });
    expect(by["mdadm:md2"]).toMatchObject({
      status: "warning",
      rawStatus: "active raid5 [4/3] [UUU_] recovery 12.6%",
    });
    expect(by["mdadm:md2"]!.detail).toMatchObject({ spareMembers: "sdg1", progressPct: 12.6 });
    expect(by["mdadm:md0"]).toMatchObject({ status: "ok" });
    expect(by["mdadm:md3"]).toMatchObject({ status: "failed", rawStatus: "inactive" });
  });

  it("a check on a healthy array is only detail", () => {
    const obs = mdObservations(parseMdstat(fixture("mdstat-clean")));
    expect(obs.map((o) => [o.key, o.status])).toEqual([
      ["mdadm:md1", "ok"],
      ["mdadm:md0", "ok"],
    ]);
    expect(obs[0]!.detail).toMatchObject({ action: "check", progressPct: 27.3 });
  });

  it("no arrays at all is an empty list", () => {
    expect(parseMdstat("Personalities : \nunused devices: <none>\n")).toEqual([]);
  });
});

describe("zpool", () => {
  it("combines the pool list with the unhealthy pools' status", () => {
    const list = parseZpoolList(fixture("zpool-list"));
    expect(list).toEqual([
      { name: "tank", health: "DEGRADED", sizeBytes: 3985729650688 },
      { name: "backup", health: "ONLINE", sizeBytes: 7971459301376 },
    ]);
    const status = parseZpoolStatus(fixture("zpool-status"));
    expect(status).toHaveLength(1);
    expect(status[0]!.status).toMatch(/^One or more devices could not be used .* in a degraded state\.$/);
    expect(status[0]!.badDevices.map((d) => `${d.name} ${d.state}`)).toEqual([
      "ata-WDC_WD40EFRX-68N32N0_WD-WCC7K7654321 UNAVAIL",
      "ata-WDC_WD40EFRX-68N32N0_WD-WCC7K3333333 FAULTED",
    ]);
    const obs = zfsObservations(list, status);
    expect(obs.map((o) => [o.key, o.status, o.rawStatus])).toEqual([
      ["zfs:tank", "failed", "DEGRADED"],
      ["zfs:tank:ata-WDC_WD40EFRX-68N32N0_WD-WCC7K7654321", "failed", "UNAVAIL (corrupted data)"],
      ["zfs:tank:ata-WDC_WD40EFRX-68N32N0_WD-WCC7K3333333", "failed", "FAULTED (too many errors)"],
      ["zfs:backup", "ok", "ONLINE"],
    ]);
  });

  it("a resilvering degraded pool is a warning", () => {
    const status = parseZpoolStatus(
      "  pool: tank\n state: DEGRADED\n  scan: resilver in progress since Sun Jan 11 02:00:00 2026\nconfig:\n\n\tNAME STATE READ WRITE CKSUM\n\ttank DEGRADED 0 0 0\n",
    );
    expect(zfsObservations([{ name: "tank", health: "DEGRADED" }], status)[0]!.status).toBe("warning");
  });
});
