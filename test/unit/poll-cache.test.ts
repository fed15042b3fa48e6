import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readChanges } from "../../src/management/change-log.js";
import { recordPoll } from "../../src/management/record-poll.js";
import type { StateRepo } from "../../src/management/state-repo.js";
import type { Store } from "../../src/store/store.js";
import {
  drive,
  observation,
  port,
  registration,
  seededRepo,
  tempStore,
  unreachable,
} from "../support/mgmt-fixtures.js";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const FIVE_MIN = 300_000;

describe("recording polls in the device cache", () => {
  let ctx: ReturnType<typeof tempStore>;
  let store: Store;
  let repo: StateRepo;

  beforeEach(() => {
    ctx = tempStore();
    store = ctx.store;
    repo = seededRepo(store, [
      registration("core-sw1", { tags: ["core"], site: "ams1" }),
      registration("srv1"),
    ]);
  });
  afterEach(() => ctx.cleanup());

  const system = (uptimeCs: number) => ({
    descr: "Cisco IOS",
    objectId: "1.3.6.1.4.1.9",
    name: "core-sw1",
    uptimeCs,
  });

  it("stores the first poll and logs only what needs attention", () => {
    const obs = observation("core-sw1", T0, {
      interfaces: [
        port(1),
        port(2, { operStatus: "down" }),
        port(3, { adminStatus: "down", operStatus: "down" }),
      ],
      entity: {
        model: "WS-C3850-48P",
        serial: "FOC1",
        hardwareRev: "V07",
        firmwareRev: "",
        softwareRev: "16.9.8",
        source: "entity-mib",
      },
    });
    recordPoll(store, repo, obs);
    const state = repo.load("core-sw1")!;
    expect(state.device).toMatchObject({
      reachable: true,
      lastOkAt: T0,
      consecutiveFailures: 0,
      model: "WS-C3850-48P",
      softwareRev: "16.9.8",
      firmwareRev: null,
    });
    expect(state.interfaces).toHaveLength(3);
    const changes = readChanges(store);
    expect(changes.map((c) => [c.kind, c.objectKey, c.old, c.new])).toEqual([
      ["port_oper", "Gi1/0/2", null, "down"],
    ]);
  });

  it("logs a port going down and coming back, with rates and down-since", () => {
    recordPoll(
      store,
      repo,
      observation("core-sw1", T0, {
        system: system(100_000),
        interfaces: [port(1, { inOctets: 1_000n, outOctets: 0n })],
      }),
    );
    const ids = recordPoll(
      store,
      repo,
      observation("core-sw1", T0 + FIVE_MIN, {
        system: system(130_000),
        interfaces: [
          port(1, {
            operStatus: "down",
            lastChangeCs: 124_000,
            inOctets: 1_000n + 37_500_000n,
            outOctets: 0n,
          }),
        ],
      }),
    ).changeIds;
    expect(ids).toHaveLength(1);
    const row = repo.load("core-sw1")!.interfaces[0]!;
    expect(row.downSince).toBe(T0 + FIVE_MIN - 60_000);
    expect(row.inBps).toBe(1_000_000);
    expect(row.outBps).toBe(0);
    recordPoll(
      store,
      repo,
      observation("core-sw1", T0 + 2 * FIVE_MIN, { system: system(160_000), interfaces: [port(1)] }),
    );
    const changes = readChanges(store, { device: "core-sw1" });
    expect(changes.map((c) => `${c.objectKey}:${c.old}->${c.new}`)).toEqual([
      "Gi1/0/1:up->down",
      "Gi1/0/1:down->up",
    ]);
    expect(repo.load("core-sw1")!.interfaces[0]!.downSince).toBeNull();
  });

  it("reseeds rates and logs a reboot when sysUpTime went down", () => {
    recordPoll(
      store,
      repo,
      observation("core-sw1", T0, {
        system: system(9_000_000),
        interfaces: [port(1, { inOctets: 5_000_000n })],
      }),
    );
    recordPoll(
      store,
      repo,
      observation("core-sw1", T0 + FIVE_MIN, {
        system: system(6_000),
        interfaces: [port(1, { inOctets: 4_000n })],
      }),
    );
    const row = repo.load("core-sw1")!.interfaces[0]!;
    expect(row.inBps).toBeNull();
    expect(row.inOctets).toBe(4_000n);
    expect(readChanges(store).map((c) => c.kind)).toEqual(["reboot"]);
    // The next poll has a rate again, from the reseeded counters.
    recordPoll(
      store,
      repo,
      observation("core-sw1", T0 + 2 * FIVE_MIN, {
        system: system(36_000),
        interfaces: [port(1, { inOctets: 4_000n + 3_750_000n })],
      }),
    );
    expect(repo.load("core-sw1")!.interfaces[0]!.inBps).toBe(100_000);
  });

  it("computes a Counter32 rate across a wrap", () => {
    const c32 = (inOctets: bigint) => port(1, { counterBits: 32, speedMbps: 10, inOctets });
    recordPoll(
      store,
      repo,
      observation("core-sw1", T0, { system: system(100_000), interfaces: [c32(2n ** 32n - 1_000_000n)] }),
    );
    recordPoll(
      store,
      repo,
      observation("core-sw1", T0 + 60_000, { system: system(106_000), interfaces: [c32(2_000_000n)] }),
    );
    expect(repo.load("core-sw1")!.interfaces[0]!.inBps).toBe((3_000_000 * 8) / 60);
  });

  it("stores Counter64 values above 2^63 exactly", () => {
    const big = 2n ** 64n - 5n;
    recordPoll(
      store,
      repo,
      observation("core-sw1", T0, {
        interfaces: [port(1, { inOctets: big - 800n, outOctets: 2n ** 53n + 1n })],
      }),
    );
    recordPoll(
      store,
      repo,
      observation("core-sw1", T0 + 8_000, {
        interfaces: [port(1, { inOctets: big, outOctets: 2n ** 53n + 3n })],
      }),
    );
    const row = repo.load("core-sw1")!.interfaces[0]!;
    expect(row.inOctets).toBe(big);
    expect(row.outOctets).toBe(2n ** 53n + 3n);
    expect(row.inBps).toBe(800);
    expect(row.outBps).toBe(2);
  });

  it("keeps the last data of an unreachable device and counts failures", () => {
    recordPoll(store, repo, observation("core-sw1", T0, { interfaces: [port(1), port(2)] }));
    recordPoll(store, repo, unreachable("core-sw1", T0 + FIVE_MIN));
    recordPoll(store, repo, unreachable("core-sw1", T0 + 2 * FIVE_MIN, "No response from 127.0.0.1:161"));
    const state = repo.load("core-sw1")!;
    expect(state.device).toMatchObject({
      reachable: false,
      lastOkAt: T0,
      lastPolledAt: T0 + 2 * FIVE_MIN,
      consecutiveFailures: 2,
      lastError: "system: No response from 127.0.0.1:161",
    });
    expect(state.interfaces).toHaveLength(2);
    recordPoll(store, repo, observation("core-sw1", T0 + 3 * FIVE_MIN, { interfaces: [port(1), port(2)] }));
    expect(repo.load("core-sw1")!.device).toMatchObject({
      reachable: true,
      consecutiveFailures: 0,
      lastError: null,
    });
    expect(readChanges(store).map((c) => `${c.kind}:${c.old}->${c.new}`)).toEqual([
      "reachability:reachable->unreachable",
      "reachability:unreachable->reachable",
    ]);
  });

  it("logs an unreachable first poll", () => {
    recordPoll(store, repo, unreachable("srv1", T0));
    expect(readChanges(store).map((c) => `${c.kind}:${c.old}->${c.new}`)).toEqual([
      "reachability:null->unreachable",
    ]);
  });

  it("logs drive status changes and removals, replacing only the reported sources", () => {
    const smart = drive("smart:/dev/sda", { source: "smart", rawStatus: "PASSED" });
    recordPoll(
      store,
      repo,
      observation("srv1", T0, {
        drives: { sources: ["idrac"], items: [drive("idrac:1"), drive("idrac:2")] },
      }),
    );
    recordPoll(store, repo, observation("srv1", T0 + 1, { drives: { sources: ["smart"], items: [smart] } }));
    expect(
      repo
        .load("srv1")!
        .drives.map((d) => d.key)
        .sort(),
    ).toEqual(["idrac:1", "idrac:2", "smart:/dev/sda"]);
    recordPoll(
      store,
      repo,
      observation("srv1", T0 + FIVE_MIN, {
        drives: {
          sources: ["idrac"],
          items: [drive("idrac:1", { status: "failed", rawStatus: "failed(2)", detail: { slot: 1 } })],
        },
      }),
    );
    const drives = repo.load("srv1")!.drives;
    expect(drives.map((d) => d.key).sort()).toEqual(["idrac:1", "smart:/dev/sda"]);
    const failed = drives.find((d) => d.key === "idrac:1")!;
    expect(failed).toMatchObject({
      status: "failed",
      rawStatus: "failed(2)",
      statusSince: T0 + FIVE_MIN,
      detail: { slot: 1 },
    });
    expect(readChanges(store).map((c) => `${c.kind}:${c.objectKey}:${c.old}->${c.new}`)).toEqual([
      "drive_status:idrac:1:ok->failed",
      "drive_removed:idrac:2:ok->null",
    ]);
  });

  it("logs firmware and software changes, but not a reformatted version", () => {
    const entity = (softwareRev: string, firmwareRev = "1.0") => ({
      model: "N9K-C93180YC-EX",
      serial: "S1",
      hardwareRev: "A0",
      firmwareRev,
      softwareRev,
      source: "entity-mib" as const,
    });
    recordPoll(store, repo, observation("core-sw1", T0, { entity: entity("7.0(3)I7(8)") }));
    recordPoll(store, repo, observation("core-sw1", T0 + 1, { entity: entity("7.0.3.I7(8)") }));
    recordPoll(store, repo, observation("core-sw1", T0 + 2, { entity: entity("9.3(10)", "1.1") }));
    expect(readChanges(store).map((c) => `${c.kind}:${c.old}->${c.new}`)).toEqual([
      "firmware:1.0->1.1",
      "software:7.0.3.I7(8)->9.3(10)",
    ]);
  });

  it("keeps sections that were not collected this time", () => {
    recordPoll(
      store,
      repo,
      observation("core-sw1", T0, {
        interfaces: [port(1)],
        storage: [{ index: 1, descr: "/", type: "fixedDisk", sizeBytes: 100, usedBytes: 50 }],
      }),
    );
    recordPoll(
      store,
      repo,
      observation("core-sw1", T0 + FIVE_MIN, { errors: [{ collector: "interfaces", message: "timeout" }] }),
    );
    const state = repo.load("core-sw1")!;
    expect(state.interfaces).toHaveLength(1);
    expect(state.interfaces[0]!.polledAt).toBe(T0);
    expect(state.device.lastError).toBe("interfaces: timeout");
    // A partial poll does not refresh the device's data age: it goes stale if it keeps failing.
    expect(state.device.lastOkAt).toBe(T0);
    expect(state.device.lastPolledAt).toBe(T0 + FIVE_MIN);
    const storage = store.db.prepare("SELECT count(*) FROM storage_state").pluck().get();
    expect(storage).toBe(1);
  });

  it("drops removed ports; a device removed from the config is marked removed, its state kept", () => {
    recordPoll(store, repo, observation("core-sw1", T0, { interfaces: [port(1), port(2)] }));
    recordPoll(store, repo, observation("core-sw1", T0 + 1, { interfaces: [port(2)] }));
    expect(repo.load("core-sw1")!.interfaces.map((p) => p.ifIndex)).toEqual([2]);
    expect(repo.syncDevices([registration("srv1")], T0 + 2)).toEqual(["core-sw1"]);
    expect(repo.load("core-sw1")!.interfaces.map((p) => p.ifIndex)).toEqual([2]);
    const removedAt = () =>
      store.db.prepare("SELECT removed_at FROM device_state WHERE name = 'core-sw1'").pluck().get();
    expect(removedAt()).toBe(T0 + 2);
    // Marked once: a later sync without it keeps the first mark; back in the config clears it.
    expect(repo.syncDevices([registration("srv1")], T0 + 3)).toEqual([]);
    expect(removedAt()).toBe(T0 + 2);
    repo.syncDevices([registration("srv1"), registration("core-sw1")], T0 + 4);
    expect(removedAt()).toBeNull();
  });

  it("brings back a removed device that a source registers again unchanged (Prometheus discovery)", () => {
    const found = registration("edge-rtr9");
    repo.registerDevices([found]);
    // The owner's sync knows only the config's devices: the discovered one is marked removed…
    expect(repo.syncDevices([registration("srv1")], T0 + 2)).toContain("edge-rtr9");
    const removedAt = () =>
      store.db.prepare("SELECT removed_at FROM device_state WHERE name = 'edge-rtr9'").pluck().get();
    expect(removedAt()).toBe(T0 + 2);
    // …and the source's next cycle, registering the very same device, clears the mark.
    repo.registerDevices([found]);
    expect(removedAt()).toBeNull();
  });

  it("rejects a poll for a device that is not registered, writing nothing", () => {
    expect(() => recordPoll(store, repo, observation("ghost", T0))).toThrow(/not in the device cache/);
    expect(readChanges(store)).toEqual([]);
  });
});
