import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/lib/clock.js";
import { createFleetQueries } from "../../src/management/fleet-queries.js";
import type { FleetQueries } from "../../src/management/fleet-query-types.js";
import { describeAge, isStale } from "../../src/management/freshness.js";
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

const FIVE_MIN = 300_000;
const baselines = { "WS-C3850-48P": { min: "16.12.4" }, "PowerEdge R740": { min: "2.19.1" } };
const entity = (model: string, softwareRev: string) => ({
  model,
  serial: "X",
  hardwareRev: "A",
  firmwareRev: "",
  softwareRev,
  source: "entity-mib" as const,
});

describe("fleet queries", () => {
  let ctx: ReturnType<typeof tempStore>;
  let clock: ManualClock;
  let repo: StateRepo;
  let q: FleetQueries;

  beforeEach(() => {
    ctx = tempStore();
    clock = new ManualClock();
    repo = seededRepo(ctx.store, [
      registration("core-sw1", { tags: ["core", "network"], site: "ams1" }),
      registration("access-sw2", { tags: ["network"], site: "fra1" }),
      registration("db1", { tags: ["servers"], site: "ams1" }),
      registration("new-sw3", { tags: ["network"], site: "fra1" }),
    ]);
    q = createFleetQueries({ store: ctx.store, clock, baselines });
    const t0 = clock.now();
    recordPoll(
      ctx.store,
      repo,
      observation("core-sw1", t0, {
        entity: entity("WS-C3850-48P", "16.12.4"),
        interfaces: [
          port(1, { alias: "uplink to fw1" }),
          port(2, { operStatus: "down", alias: "to db1", inErrors: 7 }),
          port(3, { adminStatus: "down", operStatus: "down" }),
          port(4, { operStatus: "lowerLayerDown" }),
        ],
      }),
    );
    clock.advance(60_000);
    recordPoll(
      ctx.store,
      repo,
      observation("access-sw2", clock.now(), {
        entity: entity("WS-C3850-48P", "16.9.8"),
        interfaces: [port(1), port(2, { operStatus: "down" })],
      }),
    );
    recordPoll(
      ctx.store,
      repo,
      observation("db1", clock.now(), {
        entity: entity("PowerEdge R740", "2.19.1"),
        drives: {
          sources: ["idrac"],
          items: [
            drive("idrac:0"),
            drive("idrac:1", { status: "failed", rawStatus: "failed(2)" }),
            drive("idrac:2", { status: "warning", rawStatus: "degraded(4)" }),
          ],
        },
      }),
    );
    clock.advance(60_000);
  });
  afterEach(() => ctx.cleanup());

  it("resolves devices case-insensitively and words as device, tag or site", () => {
    expect(q.resolveDevice("CORE-SW1")).toBe("core-sw1");
    expect(q.resolveDevice("core-sw9")).toBeUndefined();
    expect(q.resolveScope("core-sw1")).toEqual({ device: "core-sw1" });
    expect(q.resolveScope("Network")).toEqual({ tag: "network" });
    expect(q.resolveScope("FRA1")).toEqual({ site: "fra1" });
    expect(q.resolveScope("nowhere")).toBeUndefined();
  });

  it("lists a device's ports with a filter, and the data's age", () => {
    const all = q.links("core-sw1")!;
    expect(all.ports.map((p) => p.ifIndex)).toEqual([1, 2, 3, 4]);
    expect(all.age).toEqual({ polledAt: clock.now() - 120_000, intervalMs: FIVE_MIN });
    expect(q.links("core-sw1", "down")!.ports.map((p) => p.ifIndex)).toEqual([2, 4]);
    expect(q.links("core-sw1", "UPLINK")!.ports.map((p) => p.ifIndex)).toEqual([1]);
    expect(q.links("core-sw1", "errors")!.ports.map((p) => p.ifIndex)).toEqual([2]);
    expect(q.links("core-sw1", "Gi1/0/3")!.totalPorts).toBe(4);
    // The most specific match wins: an exact name, then a name prefix, then name/alias, then description.
    expect(q.links("core-sw1", "gi1/0/3")!.ports.map((p) => p.ifIndex)).toEqual([3]);
    expect(q.links("core-sw1", "Gi1/0/")!.ports.map((p) => p.ifIndex)).toEqual([1, 2, 3, 4]);
    expect(q.links("core-sw1", "uplink")!.ports.map((p) => p.ifIndex)).toEqual([1]);
    // No name or alias has "te": the descriptions ("GigabitEthernet…") are the last resort.
    expect(q.links("core-sw1", "te")!.ports.map((p) => p.ifIndex)).toEqual([1, 2, 3, 4]);
    expect(q.links("core-sw1", "xyz")!.ports).toEqual([]);
    expect(q.links("core-sw1", "Ethernet1/0/4")!.ports.map((p) => p.ifIndex)).toEqual([4]);
    expect(q.links("ghost")).toBeUndefined();
  });

  it("finds admin-up oper-down ports fleet-wide, filtered by tag or site", () => {
    const down = q.linksDown();
    expect(down.items.map((p) => `${p.device}:${p.ifIndex}`).sort()).toEqual([
      "access-sw2:2",
      "core-sw1:2",
      "core-sw1:4",
    ]);
    expect(down).toMatchObject({ total: 3, devices: 2 });
    expect(down.age.polledAt).toBe(clock.now() - 120_000);
    expect(q.linksDown({ site: "fra1" }).items.map((p) => p.device)).toEqual(["access-sw2"]);
    expect(q.linksDown({ tag: "core" }).total).toBe(2);
    // An empty answer is as old as the scope's devices, and names those whose data is missing.
    expect(q.linksDown({ tag: "servers" })).toMatchObject({
      items: [],
      total: 0,
      age: { polledAt: clock.now() - 60_000 },
      staleDevices: [],
    });
    expect(q.linksDown({ tag: "network" }).staleDevices).toEqual(["new-sw3"]);
    const limited = q.linksDown(undefined, 1);
    expect(limited.items).toHaveLength(1);
    expect(limited.total).toBe(3);
  });

  it("lists drives failed first, and only failing ones on request", () => {
    expect(q.drives().items.map((d) => d.status)).toEqual(["failed", "warning", "ok"]);
    const failing = q.drives({ failingOnly: true });
    expect(failing.items.map((d) => `${d.key}:${d.rawStatus}`)).toEqual([
      "idrac:1:failed(2)",
      "idrac:2:degraded(4)",
    ]);
    expect(q.drives({ scope: { device: "core-sw1" } }).total).toBe(0);
  });

  it("reports firmware with compliance, and the drift", () => {
    const fw = q.firmware();
    expect(fw.items.map((f) => `${f.device}:${f.version}:${f.compliance.status}`)).toEqual([
      "access-sw2:16.9.8:below",
      "core-sw1:16.12.4:compliant",
      "db1:2.19.1:compliant",
      "new-sw3:null:no-baseline",
    ]);
    expect(q.firmware({ driftOnly: true }).items.map((f) => f.device)).toEqual(["access-sw2"]);
    expect(q.firmware({ scope: { tag: "servers" } }).items.map((f) => f.device)).toEqual(["db1"]);
  });

  it("summarises one device, including its recent changes", () => {
    const s = q.device("core-sw1")!;
    expect(s.device).toMatchObject({
      name: "core-sw1",
      tags: ["core", "network"],
      site: "ams1",
      reachable: true,
    });
    expect(s.ports).toEqual({ total: 4, up: 1, down: 2, adminDown: 1 });
    expect(s.firmware.compliance.status).toBe("compliant");
    expect(s.recentChanges.map((c) => c.objectKey)).toEqual(["Gi1/0/4", "Gi1/0/2"]);
  });

  it("counts the fleet, with stale and never-polled devices", () => {
    expect(q.fleet()).toMatchObject({
      devices: 4,
      reachable: 3,
      unreachable: 0,
      neverPolled: 1,
      stale: 1,
      portsDown: 3,
      drivesFailed: 1,
      drivesWarning: 1,
      firmwareNonCompliant: 1,
      firmwareUnknown: 0,
    });
    recordPoll(ctx.store, repo, unreachable("core-sw1", clock.now()));
    clock.advance(2 * FIVE_MIN);
    const f = q.fleet();
    expect(f).toMatchObject({ reachable: 2, unreachable: 1, stale: 4 });
    // The unreachable device keeps answering from its last data, which is now stale.
    const links = q.links("core-sw1")!;
    expect(links.ports).toHaveLength(4);
    expect(isStale(links.age, clock.now())).toBe(true);
    expect(describeAge(links.age, clock.now())).toBe("⚠ stale: data 12m old (polled every 5m)");
  });

  it("describes the age of fresh and never-polled data", () => {
    expect(describeAge({ polledAt: clock.now() - 120_000, intervalMs: FIVE_MIN }, clock.now())).toBe(
      "data 2m old",
    );
    expect(describeAge({ polledAt: null, intervalMs: FIVE_MIN }, clock.now())).toBe(
      "no data yet (never polled)",
    );
  });
});
