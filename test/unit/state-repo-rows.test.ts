import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { InterfaceStateRow } from "../../src/management/state-rows.js";
import { registration, seededRepo, tempStore } from "../support/mgmt-fixtures.js";

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
});
