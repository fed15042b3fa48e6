import { describe, expect, it } from "vitest";
import { compareVersions, parseVersion } from "../../src/lib/versions.js";
import { checkCompliance } from "../../src/management/compliance.js";
import { evaluateGate } from "../../src/orchestration/steps/gate.js";

/** Each pair is [older, newer]. */
const ordered: Array<[string, string, string]> = [
  ["Cisco IOS maintenance number", "15.2(4)E10", "15.2(7)E3"],
  ["Cisco IOS rebuild number", "15.2(7)E3", "15.2(7)E10"],
  ["Cisco IOS train without rebuild", "15.2(7)E", "15.2(7)E3"],
  ["Cisco IOS major", "12.2(55)SE12", "15.0(2)SE"],
  ["NX-OS two-digit maintenance", "9.3(9)", "9.3(10)"],
  ["NX-OS 7 train", "7.0(3)I7(6)", "7.0(3)I7(8)"],
  ["NX-OS dotted vs parenthesised", "7.0.3.I7(7)", "7.0(3)I7(8)"],
  ["Arista EOS", "4.28.3M", "4.28.10M"],
  ["Arista EOS extra digit", "4.28.3M", "4.28.3.1M"],
  ["Arista EOS F before M", "4.28.3F", "4.28.3M"],
  ["IOS-XE rebuild letter", "17.9.4", "17.9.4a"],
  ["IOS-XE rebuild letters", "17.9.4a", "17.9.4b"],
  ["IOS-XE rebuild vs next", "17.9.4a", "17.9.5"],
  ["IOS-XE minor two digits", "16.9.8", "16.12.4"],
  ["IOS-XE leading zero", "16.12.03", "16.12.4"],
  ["JunOS service release", "21.4R3", "21.4R3-S5"],
  ["JunOS service releases", "21.4R3-S4", "21.4R3-S5"],
  ["JunOS service vs next release", "21.4R3-S5", "21.4R4"],
  ["JunOS build vs service release", "21.4R3.13", "21.4R3-S1.3"],
  ["JunOS beta before release", "21.4B1", "21.4R1"],
  ["JunOS minor", "21.2R3-S9", "21.4R1"],
  ["PAN-OS hotfix", "10.2.4", "10.2.4-h2"],
  ["PAN-OS hotfixes", "10.2.4-h2", "10.2.4-h10"],
  ["release candidate before release", "1.0-rc1", "1.0"],
  ["beta before rc", "2.1-beta3", "2.1-rc1"],
  ["digits beat letters", "2.0", "10.0"],
];

describe("compareVersions", () => {
  it.each(ordered)("%s: %s < %s", (_label, older, newer) => {
    expect(compareVersions(older, newer)).toBe(-1);
    expect(compareVersions(newer, older)).toBe(1);
  });

  it.each([
    ["15.2(7)E3", "15.2(7)E3"],
    ["7.0(3)I7(8)", "7.0.3.I7(8)"],
    ["4.28.3M", "4.28.3m"],
    ["v9.3(10)", "9.3(10)"],
    ["Cisco IOS Software, Version 15.2(7)E3, RELEASE SOFTWARE (fc2)", "15.2(7)E3"],
    ["JUNOS 21.4R3-S5.4", "21.4R3-S5.4"],
  ])("%s equals %s", (a, b) => {
    expect(compareVersions(a, b)).toBe(0);
  });

  it("orders a JunOS build after the release without one, and builds among themselves", () => {
    expect(compareVersions("21.4R3-S5", "21.4R3-S5.4")).toBe(-1);
    expect(compareVersions("21.4R3-S5.4", "21.4R3-S5")).toBe(1);
    expect(compareVersions("21.4R3-S5.4", "21.4R3-S5.7")).toBe(-1);
  });

  it.each([
    ["1.0-rc1", "1.0"],
    ["21.4R3-S5", "21.4R3-S5.4"],
    ["2.0beta", "2.0"],
  ])("one order everywhere: %s < %s in compliance and in runbook gates", async (older, newer) => {
    expect(compareVersions(older, newer)).toBe(-1);
    expect(checkCompliance("X1", older, { X1: { min: newer } }).status).toBe("below");
    expect(checkCompliance("X1", newer, { X1: { min: older } }).status).toBe("compliant");
    // A runbook gate `firmware: { at_least }` on a device running `running`, read through the fleet port.
    const gate = async (running: string, atLeast: string) => {
      const node = {
        step: { gate: { firmware: { at_least: atLeast } } },
        on: { name: "d1" },
        firmware: { atLeast },
      };
      const fleet = { firmwareVersion: async () => ({ value: running, at: 0 }) };
      const [check] = await evaluateGate(node as never, fleet as never, 0);
      return check!.ok;
    };
    expect(await gate(older, newer)).toBe(false);
    expect(await gate(newer, older)).toBe(true);
  });

  it("an exact JunOS baseline without a build accepts any build of that release", () => {
    expect(checkCompliance("MX", "21.4R3-S5.4", { MX: { exact: "21.4R3-S5" } }).status).toBe("compliant");
    expect(checkCompliance("MX", "21.4R3-S6", { MX: { exact: "21.4R3-S5" } }).status).toBe("mismatch");
  });

  it("returns undefined when a side holds no version", () => {
    expect(compareVersions("", "1.0")).toBeUndefined();
    expect(compareVersions("1.0", "unknown")).toBeUndefined();
  });

  it("sorts a mixed list the way an engineer would", () => {
    const list = ["15.2(7)E3", "15.2(4)E10", "15.2(7)E10", "15.2(7)E", "15.0(2)SE"];
    list.sort((a, b) => compareVersions(a, b)!);
    expect(list).toEqual(["15.0(2)SE", "15.2(4)E10", "15.2(7)E", "15.2(7)E3", "15.2(7)E10"]);
  });
});

describe("parseVersion", () => {
  it("extracts the version out of descriptive text", () => {
    expect(parseVersion("Arista Networks EOS version 4.28.3M running on DCS-7050")?.text).toBe("4.28.3M");
    expect(parseVersion("v7.0.12,build0523")?.text).toBe("7.0.12");
  });

  it("recognises JunOS numbering", () => {
    expect(parseVersion("21.4R3-S5")?.family).toBe("junos");
    expect(parseVersion("18.2X75-D30")?.family).toBe("generic");
    expect(parseVersion("15.2(7)E3")?.family).toBe("generic");
  });

  it("compares mixed formats the generic way", () => {
    expect(compareVersions("18.2X75-D30", "21.4R3")).toBe(-1);
  });
});
