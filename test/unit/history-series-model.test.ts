import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/lib/clock.js";
import type { Metric, Sample, SeriesPoint } from "../../src/management/history/metrics.js";
import { bucketStart } from "../../src/management/history/retention.js";
import { createSeriesStore, type SeriesStore } from "../../src/management/history/series-store.js";
import { tempStore } from "../support/mgmt-fixtures.js";
import { seededRandom } from "../support/seeded-random.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 2, 29, 0, 3, 17); // a DST night in Europe; the store works in UTC ms
const TIERS = {
  rawKeepMs: 48 * HOUR,
  rollups: [
    { stepMs: 5 * MIN, keepMs: 30 * 24 * HOUR },
    { stepMs: HOUR, keepMs: 365 * 24 * HOUR },
  ],
};

type Agg = { n: number; sum: number; min: number; max: number };
const key = (device: string, object: string, metric: Metric) => `${device}|${object}|${metric}`;

/** What a reader must see, kept independently of the store: every value, and every bucket folded. */
class Model {
  raw = new Map<string, SeriesPoint[]>();
  buckets = new Map<number, Map<string, Map<number, Agg>>>();
  write(at: number, samples: Sample[]) {
    for (const s of samples) {
      const k = key(s.device, s.object, s.metric);
      this.raw.set(k, [...(this.raw.get(k) ?? []), { at, value: s.value }]);
      for (const { stepMs } of TIERS.rollups) {
        const tier = this.buckets.get(stepMs) ?? new Map<string, Map<number, Agg>>();
        this.buckets.set(stepMs, tier);
        const series = tier.get(k) ?? new Map<number, Agg>();
        tier.set(k, series);
        const b = bucketStart(at, stepMs);
        const a = series.get(b) ?? { n: 0, sum: 0, min: 0, max: 0 };
        if (s.value !== null) {
          series.set(
            b,
            a.n === 0
              ? { n: 1, sum: s.value, min: s.value, max: s.value }
              : {
                  n: a.n + 1,
                  sum: a.sum + s.value,
                  min: Math.min(a.min, s.value),
                  max: Math.max(a.max, s.value),
                },
          );
        } else series.set(b, a);
      }
    }
  }
  rollup(stepMs: number, k: string): SeriesPoint[] {
    return [...(this.buckets.get(stepMs)?.get(k) ?? new Map<number, Agg>())]
      .sort(([a], [b]) => a - b)
      .map(([at, a]) =>
        a.n === 0
          ? { at, value: null, min: null, max: null }
          : { at, value: a.sum / a.n, min: a.min, max: a.max },
      );
  }
}

describe("series store against an independent model", () => {
  let ctx: ReturnType<typeof tempStore>;
  let clock: ManualClock;
  let series: SeriesStore;
  beforeEach(() => {
    ctx = tempStore();
    clock = new ManualClock(T0);
    series = createSeriesStore({ store: ctx.store, tiers: TIERS, clock });
  });
  afterEach(() => ctx.cleanup());

  it("reads back exactly what random polls wrote: values, repeats, gaps, absent series, rollups", () => {
    const rnd = seededRandom(16); // the same "random" polls on every run: no flakes
    const model = new Model();
    const devices = ["sw1", "sw2", "edge-3"];
    const objects = ["", "Gi1/0/1", "Gi1/0/2", "Te1/1/1", "sda"];
    const metrics: Metric[] = ["in_bps", "errors_ps", "poll_ms", "temperature_c"];
    const last = new Map<string, number | null>();
    const value = (k: string): number | null => {
      const r = rnd();
      const prev = last.get(k);
      let v: number | null;
      if (r < 0.45 && prev !== undefined)
        v = prev; // repeated (a port at 0 errors/s for hours)
      else if (r < 0.55) v = 0;
      else if (r < 0.65)
        v = Math.floor(rnd() * 200) - 50; // whole numbers, negatives too
      else if (r < 0.7)
        v = 2 ** 52 + Math.floor(rnd() * 1000); // whole but beyond the varint range
      else if (r < 0.73) v = -0;
      else v = rnd() * 10 ** Math.floor(rnd() * 11); // rates: fractions up to 10 Gbit/s
      last.set(k, v);
      return v;
    };
    let at = T0;
    let polls = 0;
    while (at < T0 + 30 * HOUR) {
      at += Math.floor(20_000 + rnd() * 400_000); // irregular polls, 20 s to 7 min apart
      for (const device of devices) {
        if (rnd() < 0.3) continue; // not every device every time
        const unreachable = rnd() < 0.08;
        const samples: Sample[] = [];
        for (const object of objects) {
          if (object === "Te1/1/1" && rnd() < 0.5) continue; // a port seen only sometimes
          for (const metric of metrics) {
            const k = key(device, object, metric);
            samples.push({ device, object, metric, value: unreachable ? null : value(k) });
          }
        }
        clock.set(at);
        ctx.store.tx(() => series.write(at, samples));
        model.write(at, samples);
        polls++;
      }
      // A poll whose transaction fails leaves nothing behind, not even a series id.
      if (rnd() < 0.03) {
        expect(() =>
          ctx.store.tx(() => {
            series.write(at + 1, [{ device: "sw1", object: "Gi9/9/9", metric: "in_bps", value: 7 }]);
            throw new Error("poll rolled back");
          }),
        ).toThrow("poll rolled back");
      }
    }
    expect(polls).toBeGreaterThan(500);
    const end = at + 1;

    const read = (device: string, object: string, metric: Metric, maxPoints: number) =>
      series.readSync({ device, object, metrics: [metric], from: T0, to: end, maxPoints })[0]!;
    for (const device of devices) {
      for (const object of objects) {
        for (const metric of metrics) {
          const k = key(device, object, metric);
          // Within raw retention: every poll's value as written (-0 and 2^52 + n included).
          clock.set(end);
          const raw = read(device, object, metric, 100_000);
          expect(raw.stepMs, k).toBe(0);
          expect(raw.points, k).toEqual(model.raw.get(k));
          // Past raw retention: the 5-minute buckets, then the hourly ones when 5 minutes is too fine.
          clock.set(end + 49 * HOUR);
          const five = read(device, object, metric, 100_000);
          expect(five.stepMs, k).toBe(5 * MIN);
          expect(five.points, k).toEqual(model.rollup(5 * MIN, k));
          const hourly = read(device, object, metric, 40);
          expect(hourly.stepMs, k).toBe(HOUR);
          expect(hourly.points, k).toEqual(model.rollup(HOUR, k));
        }
      }
    }
    expect(read("sw1", "Gi9/9/9", "in_bps", 100).points).toEqual([]);
    // Repeats and whole numbers make raw polls small: less than the bare 8-byte value of a row per value.
    const bytes = ctx.store.db
      .prepare("SELECT sum(length(data)) FROM series_block WHERE step_s = 0")
      .pluck()
      .get() as number;
    const values = [...model.raw.values()].reduce((n, p) => n + p.length, 0);
    expect(bytes / values).toBeLessThan(8);
  });

  it("converts series written before the block format and drops the old tables", () => {
    const db = ctx.store.db;
    // createSeriesStore already ran on this store: put the old tables back as migration 161 made them.
    db.exec(`
      CREATE TABLE series_raw (series_id INTEGER NOT NULL, at INTEGER NOT NULL, value REAL,
        PRIMARY KEY (series_id, at)) WITHOUT ROWID;
      CREATE TABLE series_rollup (series_id INTEGER NOT NULL, step_s INTEGER NOT NULL, at INTEGER NOT NULL,
        n INTEGER NOT NULL, sum REAL, min REAL, max REAL, PRIMARY KEY (series_id, step_s, at)) WITHOUT ROWID;
      INSERT INTO series (id, device, object, metric) VALUES (41, 'old-sw', 'Gi1/0/1', 'in_bps');`);
    const put = db.prepare("INSERT INTO series_raw VALUES (41, ?, ?)");
    const start = bucketStart(T0, HOUR);
    for (const [i, v] of [5e8, null, 5e8, 7.25].entries()) put.run(start + i * 5 * MIN, v);
    db.exec(`INSERT INTO series_rollup VALUES (41, 300, ${start}, 1, 5e8, 5e8, 5e8),
      (41, 300, ${start + 5 * MIN}, 0, NULL, NULL, NULL), (41, 3600, ${start}, 3, 1000000007.25, 7.25, 5e8)`);
    const reopened = createSeriesStore({ store: ctx.store, tiers: TIERS, clock });
    const q = { device: "old-sw", object: "Gi1/0/1", metrics: ["in_bps"] as const, from: start };
    clock.set(start + HOUR);
    expect(reopened.readSync({ ...q, to: start + HOUR, maxPoints: 100 })[0]!.points).toEqual([
      { at: start, value: 5e8 },
      { at: start + 5 * MIN, value: null },
      { at: start + 10 * MIN, value: 5e8 },
      { at: start + 15 * MIN, value: 7.25 },
    ]);
    clock.set(start + 60 * HOUR);
    expect(reopened.readSync({ ...q, to: start + 10 * MIN, maxPoints: 100 })[0]!.points).toEqual([
      { at: start, value: 5e8, min: 5e8, max: 5e8 },
      { at: start + 5 * MIN, value: null, min: null, max: null },
    ]);
    expect(reopened.readSync({ ...q, to: start + HOUR, maxPoints: 1 })[0]!.points).toEqual([
      { at: start, value: 1000000007.25 / 3, min: 7.25, max: 5e8 },
    ]);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE name IN ('series_raw', 'series_rollup')")
      .all();
    expect(tables).toEqual([]);
  });
});
