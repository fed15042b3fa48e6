import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { diffPoll } from "../../src/management/diff.js";
import { recordPoll } from "../../src/management/record-poll.js";
import type { InterfaceStateRow } from "../../src/management/state-rows.js";
import { observation, port, registration, seededRepo, tempStore } from "../support/mgmt-fixtures.js";

describe("state repo: interface rows", () => {
  let ctx: ReturnType<typeof tempStore>;
  beforeEach(() => {
    ctx = tempStore();
  });
  afterEach(() => ctx.cleanup());

  it("stores every column of a port row where it belongs and reads it back unchanged", () => {
    // Each field has a value no other field has: a parameter bound to the wrong column shows.
    const repo = seededRepo(ctx.store, [registration("sw1")]);
    const prev = repo.load("sw1")!;
    const row = (ifIndex: number, base: number): InterfaceStateRow => ({
      device: "sw1",
      ifIndex,
      name: `name${ifIndex}`,
      descr: `descr${ifIndex}`,
      alias: `alias${ifIndex}`,
      adminStatus: "up",
      operStatus: ifIndex === 2 ? "down" : "up",
      lastChangeCs: base + 1,
      downSince: ifIndex === 2 ? base + 2 : null,
      speedMbps: base + 3,
      inErrors: base + 4,
      outErrors: base + 5,
      inDiscards: base + 6,
      outDiscards: base + 7,
      inOctets: 2n ** 63n + BigInt(base + 8),
      outOctets: BigInt(base + 9),
      counterBits: 64,
      sampleUptimeCs: base + 10,
      inBps: base + 11.5,
      outBps: null,
      polledAt: base + 12,
    });
    const rows = [row(1, 100), row(2, 200)];
    ctx.store.tx(() =>
      repo.apply({
        device: { ...prev.device, lastPolledAt: 1, lastOkAt: 1, reachable: true },
        interfaces: { rows, removed: [] },
        changes: [],
      }),
    );
    expect(repo.load("sw1")!.interfaces).toEqual(rows);
    const down = ctx.store.db
      .prepare("SELECT if_index FROM interface_state WHERE device = 'sw1' AND oper_down = 1")
      .pluck()
      .all();
    expect(down).toEqual([2]);
  });

  it("a later poll updates counter-only rows in place and still logs a flipped port; every row carries the new poll's time", () => {
    const repo = seededRepo(ctx.store, [registration("sw1", { tags: ["core"] })]);
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    const t1 = t0 + 60_000;
    const ports = (octets: bigint, extra: Record<number, object> = {}) =>
      [1, 2, 3, 4].map((i) => port(i, { inOctets: octets * BigInt(i), outOctets: octets, ...extra[i] }));
    recordPoll(ctx.store, repo, observation("sw1", t0, { interfaces: ports(1_000_000n) }));
    // A minute on: counters moved everywhere; port 2 went down, port 3 got an alias, port 4 errors.
    const obs = observation("sw1", t1, {
      interfaces: ports(8_500_000n, {
        2: { operStatus: "down", lastChangeCs: Math.floor((t1 - Date.UTC(2025, 11, 1)) / 10) },
        3: { alias: "uplink" },
        4: { inErrors: 7 },
      }),
    });
    const expected = diffPoll(repo.load("sw1")!, obs);
    // Ports 1 and 4 moved only counters: in place. 2 (state) and 3 (alias) are whole rows.
    expect([...expected.interfaces!.countersOnly!].sort()).toEqual([1, 4]);
    const recorded = recordPoll(ctx.store, repo, obs);

    const stored = repo.load("sw1")!.interfaces;
    expect(stored).toEqual(expected.interfaces!.rows);
    expect(stored.map((r) => r.polledAt)).toEqual([t1, t1, t1, t1]);
    expect(stored[0]!.inOctets).toBe(8_500_000n);
    expect(stored[0]!.inBps).toBeCloseTo((7_500_000 * 8) / 60, 0);
    expect(stored[3]!.inErrors).toBe(7);
    expect(stored[2]!.alias).toBe("uplink");
    expect(recorded.changeIds).toHaveLength(1);
    const change = ctx.store.db.prepare("SELECT kind, object_key, old, new FROM change_log").all();
    expect(change).toEqual([{ kind: "port_oper", object_key: "Gi1/0/2", old: "up", new: "down" }]);
    // The down port is in the links-down aggregates with this poll's time (the age the answer states).
    const down = ctx.store.db
      .prepare("SELECT scope, if_index, polled_at FROM scope_port_down WHERE device = 'sw1' ORDER BY scope")
      .all();
    expect(down).toEqual([
      { scope: "*", if_index: 2, polled_at: t1 },
      { scope: "t:core", if_index: 2, polled_at: t1 },
    ]);

    // Back up a minute later: port 2 is a whole row again (oper_down cleared); the others in place.
    const t2 = t1 + 60_000;
    const obs2 = observation("sw1", t2, { interfaces: ports(9_000_000n, { 3: { alias: "uplink" } }) });
    expect([...diffPoll(repo.load("sw1")!, obs2).interfaces!.countersOnly!].sort()).toEqual([1, 3, 4]);
    recordPoll(ctx.store, repo, obs2);
    expect(repo.load("sw1")!.interfaces.map((r) => [r.operStatus, r.polledAt])).toEqual([
      ["up", t2],
      ["up", t2],
      ["up", t2],
      ["up", t2],
    ]);
    const operDown = ctx.store.db.prepare("SELECT count(*) FROM interface_state WHERE oper_down = 1").pluck();
    expect(operDown.get()).toBe(0);
  });
});
