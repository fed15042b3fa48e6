import { describe, expect, it } from "vitest";
import { devicePath, mergeDrives } from "../../src/management/drive-merge.js";
import type { DriveView } from "../../src/management/fleet-query-types.js";

const row = (
  over: Partial<DriveView> & Pick<DriveView, "key" | "name" | "source" | "status">,
): DriveView => ({
  device: "db01",
  kind: "disk",
  rawStatus: over.status,
  model: null,
  serial: null,
  capacityBytes: null,
  detail: null,
  statusSince: 1000,
  polledAt: 5000,
  intervalMs: 300_000,
  sources: [over.source],
  ...over,
});

describe("one disk, one row", () => {
  it("joins host-resources, SMART, an mdadm member and iDRAC for the same drive; worst status wins", () => {
    const merged = mergeDrives([
      row({
        key: "host-resources:1552",
        name: "SCSI disk (/dev/sda)",
        source: "host-resources",
        status: "ok",
      }),
      row({
        key: "host-resources:1568",
        name: "SCSI disk (/dev/sdb)",
        source: "host-resources",
        status: "warning",
        polledAt: 4000,
      }),
      row({
        key: "idrac:2",
        name: "Disk 1 in Backplane 1",
        source: "idrac",
        status: "failed",
        serial: "ZFN0GT4K",
        rawStatus: "failed(3)",
      }),
      row({ key: "mdadm:md0", name: "md0", source: "mdadm", kind: "array", status: "warning" }),
      row({
        key: "mdadm:md0:sdb1",
        name: "sdb1",
        source: "mdadm",
        status: "failed",
        rawStatus: "faulty (F) in md0",
      }),
      row({
        key: "smart:/dev/sdb",
        name: "/dev/sdb",
        source: "smart",
        status: "warning",
        serial: "zfn0gt4k ",
        model: "ST4000",
      }),
      row({ key: "smart:/dev/sda", name: "/dev/sda", source: "smart", status: "ok", serial: "WD-1" }),
      row({
        key: "smart:/dev/sdc",
        name: "/dev/sdc",
        source: "smart",
        status: "ok",
        serial: "WD-1",
        device: "db02",
      }),
    ]);
    const byName = new Map(merged.map((d) => [`${d.device}:${d.name}`, d]));
    expect([...byName.keys()].sort()).toEqual([
      "db01:/dev/sda",
      "db01:/dev/sdb",
      "db01:md0",
      "db02:/dev/sdc",
    ]);
    const sdb = byName.get("db01:/dev/sdb")!;
    expect(sdb.status).toBe("failed");
    expect(sdb.sources.sort()).toEqual(["host-resources", "idrac", "mdadm", "smart"]);
    expect(sdb).toMatchObject({ key: "idrac:2", serial: "ZFN0GT4K", model: "ST4000", polledAt: 4000 });
    expect(sdb.rawStatus).toContain("idrac: failed(3)");
    expect(byName.get("db01:/dev/sda")!.sources.sort()).toEqual(["host-resources", "smart"]);
    // An array is never joined with its members; drives of another device never join.
    expect(byName.get("db01:md0")!.sources).toEqual(["mdadm"]);
  });

  it("reads device paths out of the names sources give", () => {
    expect(devicePath("SCSI disk (/dev/sdb)")).toBe("sdb");
    expect(devicePath("sdb2")).toBe("sdb");
    expect(devicePath("/dev/nvme0n1p2")).toBe("nvme0");
    expect(devicePath("/dev/nvme0")).toBe("nvme0");
    expect(devicePath("Physical Disk 0:1:1")).toBeUndefined();
    expect(devicePath("disk 3")).toBeUndefined();
  });
});
