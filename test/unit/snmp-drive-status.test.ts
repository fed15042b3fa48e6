import { describe, expect, it } from "vitest";
import {
  mapHpeDrive,
  mapHrDeviceStatus,
  mapIdracDisk,
  mapNetappOtherDisk,
  mapNetappRaidDisk,
  mapNetappSpareDisk,
  mapNetappSummary,
  mapSynologyDisk,
  worst,
} from "../../src/management/collectors/snmp/drive-status.js";

describe("drive status mapping", () => {
  it("worst orders failed > warning > unknown > ok", () => {
    expect(worst("ok", "warning")).toBe("warning");
    expect(worst("failed", "warning")).toBe("failed");
    expect(worst("unknown", "ok")).toBe("unknown");
    expect(worst("unknown", "warning")).toBe("warning");
  });

  it.each([
    [1, "unknown", "unknown(1)"],
    [2, "ok", "running(2)"],
    [3, "warning", "warning(3)"],
    [4, "warning", "testing(4)"],
    [5, "failed", "down(5)"],
    [9, "unknown", "9"],
    [undefined, "unknown", "missing"],
  ] as const)("HOST-RESOURCES hrDeviceStatus %s → %s", (value, status, raw) => {
    expect(mapHrDeviceStatus(value)).toEqual({ status, raw });
  });

  it.each([
    [3, 3, 0, "ok", "online(3)"],
    [2, 3, 0, "ok", "ready(2)"],
    [8, 3, 0, "ok", "nonraid(8)"],
    [7, 5, 0, "failed", "failed(7)"],
    [5, 3, 0, "failed", "offline(5)"],
    [6, 3, 0, "failed", "blocked(6)"],
    [4, 3, 0, "warning", "foreign(4)"],
    [9, 3, 0, "warning", "removed(9)"],
    [3, 4, 0, "warning", "online(3)"],
    [3, 5, 0, "failed", "online(3)"],
    [3, 3, 1, "warning", "online(3)"],
    [1, 2, 0, "unknown", "unknown(1)"],
    [3, undefined, undefined, "ok", "online(3)"],
  ] as const)("iDRAC state %s component %s smart %s → %s", (state, component, smart, status, raw) => {
    expect(mapIdracDisk(state, component, smart)).toMatchObject({ status, raw });
  });

  it("iDRAC keeps the component status verbatim", () => {
    expect(mapIdracDisk(7, 5, 0).componentRaw).toBe("critical(5)");
  });

  it.each([
    [2, 2, "ok", "ok(2)"],
    [3, 4, "failed", "failed(3)"],
    [4, 3, "warning", "predictiveFailure(4)"],
    [8, 2, "warning", "ssdWearOut(8)"],
    [5, 2, "warning", "erasing(5)"],
    [2, 3, "warning", "ok(2)"],
    [2, 4, "failed", "ok(2)"],
    [1, 1, "unknown", "other(1)"],
    [2, undefined, "ok", "ok(2)"],
  ] as const)("HPE status %s condition %s → %s", (value, condition, status, raw) => {
    expect(mapHpeDrive(value, condition)).toMatchObject({ status, raw });
  });

  it.each([
    [1, undefined, "ok", "Normal(1)"],
    [2, undefined, "ok", "Initialized(2)"],
    [3, undefined, "warning", "NotInitialized(3)"],
    [4, undefined, "failed", "SystemPartitionFailed(4)"],
    [5, undefined, "failed", "Crashed(5)"],
    [1, 2, "warning", "Normal(1)"],
    [1, 3, "failed", "Normal(1)"],
    [1, 4, "failed", "Normal(1)"],
  ] as const)("Synology status %s health %s → %s", (value, health, status, raw) => {
    expect(mapSynologyDisk(value, health)).toMatchObject({ status, raw });
  });

  it("Synology keeps the health value verbatim when present", () => {
    expect(mapSynologyDisk(1, 2).healthRaw).toBe("Warning(2)");
    expect(mapSynologyDisk(1, undefined)).not.toHaveProperty("healthRaw");
  });

  it("NetApp disk tables", () => {
    expect(mapNetappRaidDisk(1)).toEqual({ status: "ok", raw: "active(1)" });
    expect(mapNetappRaidDisk(2)).toEqual({ status: "warning", raw: "reconstructionInProgress(2)" });
    expect(mapNetappRaidDisk(5)).toEqual({ status: "ok", raw: "scrubbingInProgress(5)" });
    expect(mapNetappRaidDisk(6)).toEqual({ status: "failed", raw: "failed(6)" });
    expect(mapNetappRaidDisk(9)).toEqual({ status: "warning", raw: "prefailed(9)" });
    expect(mapNetappRaidDisk(10)).toEqual({ status: "failed", raw: "offline(10)" });
    expect(mapNetappSpareDisk(1)).toEqual({ status: "ok", raw: "spare(1)" });
    expect(mapNetappSpareDisk(3)).toEqual({ status: "failed", raw: "bypassed(3)" });
    expect(mapNetappOtherDisk(1)).toEqual({ status: "failed", raw: "broken(1)" });
    expect(mapNetappOtherDisk(3)).toEqual({ status: "unknown", raw: "unknown(3)" });
    expect(mapNetappSummary(0, 0)).toBe("ok");
    expect(mapNetappSummary(0, 2)).toBe("warning");
    expect(mapNetappSummary(1, 0)).toBe("failed");
    expect(mapNetappSummary(undefined, undefined)).toBe("unknown");
  });
});
