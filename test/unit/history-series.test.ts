import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/lib/clock.js";
import type { Sample } from "../../src/management/history/metrics.js";
import { historyRetentionRules } from "../../src/management/history/retention-rules.js";
import { decodeAggBlock, decodeRawBlock } from "../../src/management/history/series-block.js";
import { createSeriesStore, type SeriesStore } from "../../src/management/history/series-store.js";
import { recordPoll } from "../../src/management/record-poll.js";
import type { StateRepo } from "../../src/management/state-repo.js";
import { pruneRules } from "../../src/store/prune.js";
import type { Store } from "../../src/store/store.js";
import {
  observation,
  port,
  registration,
  seededRepo,
  tempStore,
  unreachable,
} from "../support/mgmt-fixtures.js";

/** The times of every stored record of a tier (0 = raw), whatever the series, oldest first. */
function storedTimes(store: Store, stepS: number): number[] {
  const rows = store.db
    .prepare("SELECT start, data FROM series_block WHERE step_s = ? ORDER BY start")
    .all(stepS) as { start: number; data: Uint8Array }[];
  const decode = stepS === 0 ? decodeRawBlock : decodeAggBlock;
  return rows.flatMap((r) => decode(r.start, r.data).map((rec) => rec.at));
}

const MIN = 60_000;
const HOUR = 60 * MIN;
// A bucket boundary for every tier below: 5-minute and 1-hour buckets start here.
const T0 = Date.UTC(2025, 11, 2, 10, 0, 0);

const sample = (value: number | null, metric: Sample["metric"] = "in_bps"): Sample => ({
  device: "sw1",
  object: "Gi1/0/1",
  metric,
  value,
});
const q = (from: number, to: number, maxPoints = 10_000) => ({
  device: "sw1",
  object: "Gi1/0/1",
  metrics: ["in_bps"] as const,
  from,
  to,
  maxPoints,
});

describe("series store: raw values and rollups written together", () => {
  let ctx: ReturnType<typeof tempStore>;
  let clock: ManualClock;
  let series: SeriesStore;
  const tiers = {
    rawKeepMs: 2 * HOUR,
    rollups: [
      { stepMs: 5 * MIN, keepMs: 6 * HOUR },
      { stepMs: HOUR, keepMs: 48 * HOUR },
    ],
  };

  beforeEach(() => {
    ctx = tempStore();
    clock = new ManualClock(T0);
    series = createSeriesStore({ store: ctx.store, tiers, clock });
  });
  afterEach(() => ctx.cleanup());

  const write = (at: number, value: number | null) => ctx.store.tx(() => series.write(at, [sample(value)]));

  it("folds polls into the bucket they fall in, splitting at the boundary (clock moved across it)", () => {
    // 10:01, 10:03 → bucket 10:00; 10:05 (exactly on the boundary) and 10:07 → bucket 10:05.
    write(T0 + 1 * MIN, 100);
    write(T0 + 3 * MIN, 300);
    write(T0 + 5 * MIN, 50);
    write(T0 + 7 * MIN, 70);
    clock.set(T0 + 3 * HOUR); // raw (2 h) no longer covers 10:00: the 5-minute tier answers
    const [data] = series.readSync(q(T0, T0 + 10 * MIN));
    expect(data!.stepMs).toBe(5 * MIN);
    expect(data!.points).toEqual([
      { at: T0, value: 200, min: 100, max: 300 },
      { at: T0 + 5 * MIN, value: 60, min: 50, max: 70 },
    ]);
    // The hourly bucket holds all four.
    clock.set(T0 + 7 * HOUR);
    const [hourly] = series.readSync(q(T0, T0 + HOUR));
    expect(hourly!.stepMs).toBe(HOUR);
    expect(hourly!.points).toEqual([{ at: T0, value: 130, min: 50, max: 300 }]);
  });

  it("keeps gaps: an unreachable poll is a null raw point and an empty bucket, never a zero", () => {
    write(T0, 10);
    write(T0 + 5 * MIN, null);
    write(T0 + 10 * MIN, 30);
    clock.set(T0 + 15 * MIN);
    const [raw] = series.readSync(q(T0, T0 + 15 * MIN));
    expect(raw!.stepMs).toBe(0);
    expect(raw!.points.map((p) => p.value)).toEqual([10, null, 30]);
    clock.set(T0 + 3 * HOUR);
    const [rollup] = series.readSync(q(T0, T0 + 15 * MIN));
    expect(rollup!.points.map((p) => p.value)).toEqual([10, null, 30]);
    // A null in a bucket that also has values leaves its average alone.
    write(T0 + 11 * MIN, null);
    const [again] = series.readSync(q(T0, T0 + 15 * MIN));
    expect(again!.points.at(-1)).toMatchObject({ value: 30, min: 30, max: 30 });
  });

  it("prunes each tier past its retention in the same write", () => {
    write(T0, 1);
    write(T0 + 3 * HOUR, 2); // raw of T0 (2 h) is gone now; its 5-minute bucket (6 h) is not
    expect(storedTimes(ctx.store, 0)).toEqual([T0 + 3 * HOUR]);
    write(T0 + 7 * HOUR, 3); // the 10:00 5-minute bucket is past 6 h
    expect(storedTimes(ctx.store, 300)).toEqual([T0 + 3 * HOUR, T0 + 7 * HOUR]);
    expect(storedTimes(ctx.store, 3600)).toHaveLength(3);
  });

  it("reads raw when it fits, a coarser tier when there are too many points", () => {
    for (let i = 0; i < 24; i++) write(T0 + i * 5 * MIN, i);
    clock.set(T0 + 2 * HOUR - MIN);
    expect(series.readSync(q(T0, T0 + 2 * HOUR, 100))[0]!.stepMs).toBe(0);
    expect(series.readSync(q(T0, T0 + 2 * HOUR, 10))[0]!.stepMs).toBe(HOUR);
    // An unknown series reads as empty, not as an error.
    expect(series.readSync({ ...q(T0, T0 + HOUR), object: "Gi9/9/9" })[0]!.points).toEqual([]);
  });
});

describe("series written by the poll", () => {
  let ctx: ReturnType<typeof tempStore>;
  let repo: StateRepo;
  let series: SeriesStore;
  const clock = new ManualClock(T0);

  beforeEach(() => {
    ctx = tempStore();
    repo = seededRepo(ctx.store, [registration("sw1")]);
    series = createSeriesStore({
      store: ctx.store,
      clock,
      tiers: { rawKeepMs: 48 * HOUR, rollups: [{ stepMs: 5 * MIN, keepMs: 30 * 24 * HOUR }] },
    });
  });
  afterEach(() => ctx.cleanup());

  const poll = (at: number, inOctets: bigint, inErrors: number, reachable = true) =>
    recordPoll(
      ctx.store,
      repo,
      reachable
        ? { ...observation("sw1", at, { interfaces: [port(1, { inOctets, inErrors })] }), durationMs: 420 }
        : unreachable("sw1", at),
      series,
    );
  const values = (metric: Sample["metric"]) =>
    series
      .readSync({
        device: "sw1",
        object: metric === "reachable" ? "" : "Gi1/0/1",
        metrics: [metric],
        from: T0,
        to: T0 + 2 * HOUR,
        maxPoints: 1000,
      })[0]!
      .points.map((p) => p.value);

  it("records rates, errors per second, reachability and poll time; gaps while unreachable and right after", () => {
    clock.set(T0 + 2 * HOUR);
    poll(T0, 0n, 0);
    poll(T0 + 5 * MIN, 37_500_000n, 600); // 1 Mbit/s, 2 errors/s
    poll(T0 + 10 * MIN, 0n, 0, false);
    poll(T0 + 15 * MIN, 150_000_000n, 1200); // spans the outage: not charted as a rate
    poll(T0 + 20 * MIN, 187_500_000n, 900); // errors counter went back: cleared, unknown
    poll(T0 + 25 * MIN, 225_000_000n, 1200);
    expect(values("in_bps")).toEqual([null, 1_000_000, null, null, 1_000_000, 1_000_000]);
    expect(values("errors_ps")).toEqual([null, 2, null, null, null, 1]);
    expect(values("reachable")).toEqual([1, 1, 0, 1, 1, 1]);
    const pollMs = series.readSync({
      device: "sw1",
      object: "",
      metrics: ["poll_ms"],
      from: T0,
      to: T0 + HOUR,
      maxPoints: 100,
    })[0]!;
    expect(pollMs.points.map((p) => p.value)).toEqual([420, 420, 420, 420, 420]);
  });
});

describe("series retention in the daily prune", () => {
  it("removes the series of devices no longer in the cache, and keeps the others", async () => {
    const ctx = tempStore();
    try {
      seededRepo(ctx.store, [registration("sw1")]);
      const series = createSeriesStore({
        store: ctx.store,
        clock: new ManualClock(T0),
        tiers: { rawKeepMs: 48 * HOUR, rollups: [{ stepMs: 5 * MIN, keepMs: 30 * 24 * HOUR }] },
      });
      ctx.store.tx(() =>
        series.write(T0, [sample(1), { device: "gone-sw9", object: "Gi1/0/1", metric: "in_bps", value: 2 }]),
      );
      const counts = await pruneRules(ctx.store, historyRetentionRules(), { batch: 1000 });
      // gone-sw9: its raw block and its 5-minute block, its series, its device id.
      expect(counts.map((c) => c.rows)).toEqual([2, 1, 1]);
      expect(ctx.store.db.prepare("SELECT DISTINCT device FROM series").pluck().all()).toEqual(["sw1"]);
      expect(ctx.store.db.prepare("SELECT name FROM series_device").pluck().all()).toEqual(["sw1"]);
      expect(storedTimes(ctx.store, 0)).toEqual([T0]);
    } finally {
      ctx.cleanup();
    }
  });
});
