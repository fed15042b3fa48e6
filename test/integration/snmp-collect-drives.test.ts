import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createSnmpCollector, type SnmpCollector } from "../../src/management/collectors/snmp/index.js";
import type { DriveObservation } from "../../src/management/observations.js";
import { type SnmpsimAgent, startSnmpsim } from "../support/snmp-agents.js";

const ALL_SOURCES = ["host-resources", "idrac", "hpe", "synology", "netapp"];

const summary = (items: DriveObservation[]) => items.map((d) => [d.key, d.status, d.rawStatus]);

/** Servers and storage: HOST-RESOURCES and the four vendor physical-disk tables. */
describe("SNMP collector against snmpsimd: drives", () => {
  let sim: SnmpsimAgent;
  let collector: SnmpCollector;

  beforeAll(async () => {
    sim = await startSnmpsim({
      fixtures: ["server-failed-disk", "idrac", "hpe-smartarray", "synology", "netapp"],
    });
    collector = createSnmpCollector({ logger: silentLogger(), clock: new ManualClock() });
  }, 90_000);

  afterAll(async () => {
    collector?.close();
    await sim?.stop();
  });

  it("reads HOST-RESOURCES disks (failed one included) and storage usage", async () => {
    const obs = await collector.collect(sim.device("server-failed-disk"));
    expect(obs.errors).toEqual([]);
    expect(obs.drives!.sources).toEqual(ALL_SOURCES);
    expect(summary(obs.drives!.items)).toEqual([
      ["host-resources:1552", "ok", "running(2)"],
      ["host-resources:1568", "failed", "down(5)"],
      ["host-resources:1584", "warning", "warning(3)"],
    ]);
    expect(obs.drives!.items[1]).toMatchObject({
      name: "SCSI disk (/dev/sdb)",
      source: "host-resources",
      kind: "disk",
      capacityBytes: 976762584 * 1024,
    });
    expect(obs.storage).toEqual([
      {
        index: 1,
        descr: "Physical memory",
        type: "ram",
        sizeBytes: 65842312 * 1024,
        usedBytes: 40123456 * 1024,
      },
      {
        index: 3,
        descr: "Virtual memory",
        type: "virtualMemory",
        sizeBytes: 69836612 * 1024,
        usedBytes: 40123456 * 1024,
      },
      { index: 31, descr: "/", type: "fixedDisk", sizeBytes: 24000000 * 4096, usedBytes: 12000000 * 4096 },
      // Integer32 overflow on the agent side, read back as the unsigned value it meant.
      {
        index: 36,
        descr: "/srv",
        type: "fixedDisk",
        sizeBytes: 3_000_000_000 * 4096,
        usedBytes: 2_000_000_000 * 4096,
      },
    ]);
  });

  it("falls back to 32-bit octet counters and parses a Linux sysDescr", async () => {
    const obs = await collector.collect(sim.device("server-failed-disk"), {
      collectors: ["interfaces", "entity"],
    });
    expect(obs.errors).toEqual([]);
    const eth0 = obs.interfaces!.find((i) => i.name === "eth0")!;
    expect(eth0).toMatchObject({
      counterBits: 32,
      inOctets: 4294967000n,
      outOctets: 99887766n,
      speedMbps: 1000,
    });
    expect(obs.entity).toMatchObject({ source: "sysdescr", softwareRev: "5.10.0-21-amd64", os: "Linux" });
  });

  it("maps Dell iDRAC physical disks, combining state, component status and SMART alert", async () => {
    const obs = await collector.collect(sim.device("idrac"), { collectors: ["drives"] });
    expect(obs.errors).toEqual([]);
    expect(summary(obs.drives!.items)).toEqual([
      ["idrac:1", "ok", "online(3)"],
      ["idrac:2", "failed", "failed(7)"],
      ["idrac:3", "warning", "online(3)"],
      ["idrac:4", "ok", "nonraid(8)"],
    ]);
    expect(obs.drives!.items[1]).toEqual({
      key: "idrac:2",
      name: "Disk 1 in Backplane 1 of Integrated RAID Controller 1",
      source: "idrac",
      kind: "disk",
      status: "failed",
      rawStatus: "failed(7)",
      model: "ST1200MM0099",
      serial: "WFK0A1B3",
      capacityBytes: 1144064 * 1024 * 1024,
      detail: { componentStatus: "critical(5)", smartAlert: "no" },
    });
    expect(obs.drives!.items[2]!.detail).toEqual({ componentStatus: "nonCritical(4)", smartAlert: "yes" });
  });

  it("maps HPE Smart Array drives (two-part index, status + condition)", async () => {
    const obs = await collector.collect(sim.device("hpe-smartarray"), { collectors: ["drives"] });
    expect(obs.errors).toEqual([]);
    expect(summary(obs.drives!.items)).toEqual([
      ["hpe:3.1", "ok", "ok(2)"],
      ["hpe:3.2", "failed", "failed(3)"],
      ["hpe:3.3", "warning", "predictiveFailure(4)"],
      ["hpe:3.4", "ok", "ok(2)"],
    ]);
    expect(obs.drives!.items[1]).toMatchObject({
      name: "Port 1I Box 1 Bay 2",
      serial: "WFK1AAA2",
      model: "EG001200JWJNQ",
      detail: { condition: "failed(4)" },
    });
    // HOST-RESOURCES is read too on this Linux host: no disks there, but the source is reported.
    expect(obs.drives!.sources).toEqual(ALL_SOURCES);
  });

  it("maps Synology disks (status and DSM 7 health)", async () => {
    const obs = await collector.collect(sim.device("synology"), { collectors: ["drives"] });
    expect(obs.errors).toEqual([]);
    expect(summary(obs.drives!.items)).toEqual([
      ["synology:0", "ok", "Normal(1)"],
      ["synology:1", "failed", "Crashed(5)"],
      ["synology:2", "warning", "Normal(1)"],
      ["synology:3", "ok", "Normal(1)"],
    ]);
    expect(obs.drives!.items[2]).toMatchObject({
      name: "Disk 3",
      model: "WD40EFRX-68N32N0",
      detail: { temperatureC: 37, badSectors: 12, health: "Warning(2)" },
    });
  });

  it("maps NetApp RAID, spare and broken disks, plus the filer's disk summary", async () => {
    const obs = await collector.collect(sim.device("netapp"));
    expect(obs.errors).toEqual([]);
    expect(summary(obs.drives!.items)).toEqual([
      ["netapp:1.0.0", "ok", "active(1)"],
      ["netapp:1.0.1", "ok", "active(1)"],
      ["netapp:1.0.2", "warning", "reconstructionInProgress(2)"],
      ["netapp:1.0.10", "ok", "spare(1)"],
      ["netapp:1.0.11", "failed", "broken(1)"],
      ["netapp:summary", "failed", "failed=1 prefailed=0 total=5"],
    ]);
    expect(obs.drives!.items[5]!.detail).toEqual({ failedMessage: "Disk 1.0.11 is broken" });
    expect(obs.entity).toMatchObject({ source: "sysdescr", vendor: "NetApp", softwareRev: "9.8P9" });
  });
});
