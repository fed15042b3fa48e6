import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderSnmpExporterConfig } from "../../src/management/sources/prometheus/snmp-exporter-module.js";
import { tempDir } from "../support/temp.js";

/** The shipped systemd unit, checked by the real `systemd-analyze verify` (CI installs systemd). */
describe("deploy/systemd/opsbot.service", () => {
  it("passes systemd-analyze verify", () => {
    const dir = tempDir();
    try {
      // The unit names /usr/bin/node; point it at this machine's node so only the unit itself is judged.
      const unit = readFileSync("deploy/systemd/opsbot.service", "utf8").replace(
        "/usr/bin/node",
        process.execPath,
      );
      expect(unit).toContain(`ExecStart=${process.execPath} /opt/opsbot/dist/src/cli.js start`);
      const path = join(dir.path, "opsbot.service");
      writeFileSync(path, unit);
      const r = spawnSync("systemd-analyze", ["verify", path], { encoding: "utf8" });
      expect(r.error).toBeUndefined();
      // Missing /opt/opsbot is expected on a build machine; anything else is a unit error.
      const problems = `${r.stderr}`.split("\n").filter((l) => l.trim() !== "" && !l.includes("/opt/opsbot"));
      expect(problems).toEqual([]);
    } finally {
      dir.cleanup();
    }
  });
});

describe("deploy/snmp_exporter/snmp.yml", () => {
  it("is the module generated from the columns the collectors read", () => {
    const shipped = readFileSync("deploy/snmp_exporter/snmp.yml", "utf8");
    const body = shipped
      .split("\n")
      .filter((l) => !l.startsWith("#"))
      .join("\n");
    expect(body).toBe(renderSnmpExporterConfig({ opsbot: { community: "public" } }));
  });
});
