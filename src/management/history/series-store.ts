import type { Clock } from "../../lib/clock.js";
import type { Store } from "../../store/store.js";
import type { HistoryReader, Metric, Sample, SeriesData, SeriesPoint, SeriesQuery } from "./metrics.js";
import { bucketStart, type SeriesTiers } from "./retention.js";
import {
  type BlockRecord,
  decodeAggBlock,
  decodeRawBlock,
  encodeAggBlock,
  encodeRawBlock,
  foldAgg,
  putRecord,
  type RawValue,
} from "./series-block.js";
import { convertLegacySeries } from "./series-legacy.js";

/** The write side, called inside the poll's transaction (see record-poll.ts). */
export interface SeriesWriter {
  write(at: number, samples: readonly Sample[]): void;
}

export interface SeriesStore extends SeriesWriter, HistoryReader {
  /** The newest raw value of each metric of each object of a device, no older than `since`. */
  latest(device: string, metrics: readonly Metric[], since: number): Map<string, Map<Metric, number | null>>;
  /** Synchronous read, for callers already on the store's thread (benches, tests). */
  readSync(q: SeriesQuery): SeriesData[];
}

/** A raw block holds at most this many polls, all within RAW_BLOCK_SPAN_MS of its start. */
export const RAW_BLOCK_POLLS = 12;
export const RAW_BLOCK_SPAN_MS = 3_600_000;
/** A rollup block holds this many buckets, aligned to the epoch. */
export const ROLLUP_BLOCK_BUCKETS = 12;

type Row = Record<string, unknown>;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * Time series in SQLite, one row per device, tier and block of time (migration 0140, the format in
 * series-block.ts). A poll rewrites its device's newest raw block and, per rollup tier, the block of
 * the bucket it falls in (count, sum, min, max per series), so downsampled data exists the moment the
 * raw data does and needs no background job: two statements per tier per poll, whatever the number of
 * series. A block whose newest record is past its tier's retention is deleted (a primary-key range),
 * once an hour per device.
 * Reads pick the finest tier that both still covers the range and fits the wanted points.
 */
export function createSeriesStore(deps: { store: Store; tiers: SeriesTiers; clock: Clock }): SeriesStore {
  const { store, tiers, clock } = deps;
  const db = store.db;
  const findSeries = db
    .prepare("SELECT id FROM series WHERE device = ? AND object = ? AND metric = ?")
    .pluck();
  const insertSeries = db.prepare("INSERT INTO series (device, object, metric) VALUES (?, ?, ?)");
  const findDevice = db.prepare("SELECT id FROM series_device WHERE name = ?").pluck();
  const insertDevice = db.prepare("INSERT INTO series_device (name) VALUES (?)");
  const newestRawBlock = db.prepare(`
    SELECT start, data FROM series_block WHERE device_id = ? AND step_s = 0 AND start <= ?
    ORDER BY start DESC LIMIT 1`);
  const getBlock = db
    .prepare("SELECT data FROM series_block WHERE device_id = ? AND step_s = ? AND start = ?")
    .pluck();
  const putBlock = db.prepare(
    "INSERT OR REPLACE INTO series_block (device_id, step_s, start, end_at, data) VALUES (?, ?, ?, ?, ?)",
  );
  const pruneBlocks = db.prepare(
    "DELETE FROM series_block WHERE device_id = @dev AND step_s = @step AND start < @cutoff AND end_at < @cutoff",
  );
  const readBlocks = db.prepare(`
    SELECT start, data FROM series_block WHERE device_id = ? AND step_s = ? AND start >= ? AND start <= ?
    ORDER BY start`);
  const deviceSeries = db.prepare("SELECT id, object, metric FROM series WHERE device = ?");

  convertLegacySeries(store, {
    rawPolls: RAW_BLOCK_POLLS,
    rawSpanMs: RAW_BLOCK_SPAN_MS,
    rollupBuckets: ROLLUP_BLOCK_BUCKETS,
  });

  // Ids known to be committed. One inserted in this transaction is not cached until a later poll
  // finds it, so a rolled-back poll can never leave a stale id behind.
  const seriesIds = new Map<string, number>();
  const deviceIds = new Map<string, number>();
  const idOf = (
    cache: Map<string, number>,
    key: string,
    find: () => number | undefined,
    create: (() => number) | undefined,
  ): number | undefined => {
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const found = find();
    if (found !== undefined) {
      cache.set(key, found);
      return found;
    }
    return create?.();
  };
  const seriesId = (device: string, object: string, metric: string, create: boolean) =>
    idOf(
      seriesIds,
      `${device}\u0001${object}\u0001${metric}`,
      () => findSeries.get(device, object, metric) as number | undefined,
      create ? () => Number(insertSeries.run(device, object, metric).lastInsertRowid) : undefined,
    );
  const deviceId = (name: string, create: boolean) =>
    idOf(
      deviceIds,
      name,
      () => findDevice.get(name) as number | undefined,
      create ? () => Number(insertDevice.run(name).lastInsertRowid) : undefined,
    );
  const prunedHour = new Map<number, number>();

  const writeRaw = (dev: number, at: number, values: Map<number, RawValue>) => {
    const newest = newestRawBlock.get(dev, at) as Row | undefined;
    let start = at;
    let records: BlockRecord<RawValue>[] = [];
    if (newest) {
      const s = Number(newest.start);
      const recs = decodeRawBlock(s, newest.data as Uint8Array);
      const fits =
        at - s < RAW_BLOCK_SPAN_MS && (recs.length < RAW_BLOCK_POLLS || recs.some((r) => r.at === at));
      if (fits) {
        start = s;
        records = recs;
      }
    }
    records = putRecord(records, at, values, (_old, next) => next);
    putBlock.run(dev, 0, start, records.at(-1)!.at, encodeRawBlock(start, records));
  };

  const writeRollup = (dev: number, stepMs: number, at: number, values: Map<number, RawValue>) => {
    const step = stepMs / 1000;
    const start = bucketStart(at, stepMs * ROLLUP_BLOCK_BUCKETS);
    const data = getBlock.get(dev, step, start) as Uint8Array | undefined;
    const records = data ? decodeAggBlock(start, data) : [];
    const next = putRecord(records, bucketStart(at, stepMs), values, foldAgg);
    putBlock.run(dev, step, start, next.at(-1)!.at, encodeAggBlock(start, next));
  };

  const prune = (dev: number, at: number) => {
    const hour = Math.floor(at / PRUNE_EVERY_MS);
    if (prunedHour.get(dev) === hour) return;
    prunedHour.set(dev, hour);
    pruneBlocks.run({ dev, step: 0, cutoff: at - tiers.rawKeepMs });
    for (const t of tiers.rollups) pruneBlocks.run({ dev, step: t.stepMs / 1000, cutoff: at - t.keepMs });
  };

  /** One series' raw points in [from, to]. */
  const rawPoints = (dev: number, id: number, from: number, to: number): SeriesPoint[] => {
    const out: SeriesPoint[] = [];
    for (const row of readBlocks.all(dev, 0, from - RAW_BLOCK_SPAN_MS, to) as Row[]) {
      for (const rec of decodeRawBlock(Number(row.start), row.data as Uint8Array)) {
        if (rec.at < from || rec.at > to) continue;
        const i = rec.ids.indexOf(id);
        if (i >= 0) out.push({ at: rec.at, value: rec.values[i]! });
      }
    }
    return out;
  };

  const rollupPoints = (dev: number, id: number, stepMs: number, from: number, to: number) => {
    const out: SeriesPoint[] = [];
    const first = bucketStart(from, stepMs);
    const blockFrom = bucketStart(from, stepMs * ROLLUP_BLOCK_BUCKETS);
    for (const row of readBlocks.all(dev, stepMs / 1000, blockFrom, to) as Row[]) {
      for (const rec of decodeAggBlock(Number(row.start), row.data as Uint8Array)) {
        if (rec.at < first || rec.at > to) continue;
        const i = rec.ids.indexOf(id);
        if (i < 0) continue;
        const a = rec.values[i]!;
        out.push(
          a.n === 0
            ? { at: rec.at, value: null, min: null, max: null }
            : { at: rec.at, value: a.sum / a.n, min: a.min, max: a.max },
        );
      }
    }
    return out;
  };

  const readOne = (metric: Metric, q: SeriesQuery, now: number): SeriesData => {
    const id = seriesId(q.device, q.object, metric, false);
    const dev = deviceId(q.device, false);
    if (id === undefined || dev === undefined) return { metric, stepMs: 0, points: [] };
    const age = now - q.from;
    if (age <= tiers.rawKeepMs) {
      const points = rawPoints(dev, id, q.from, q.to);
      if (points.length <= q.maxPoints) return { metric, stepMs: 0, points };
    }
    const covering = tiers.rollups.filter((t) => t.keepMs >= age);
    const fits = covering.find((t) => (q.to - q.from) / t.stepMs <= q.maxPoints);
    // Nothing fits the wanted points: the coarsest that still covers the range, else the coarsest kept.
    const tier = fits ?? covering.at(-1) ?? tiers.rollups.at(-1);
    if (!tier) return { metric, stepMs: 0, points: rawPoints(dev, id, q.from, q.to) };
    return { metric, stepMs: tier.stepMs, points: rollupPoints(dev, id, tier.stepMs, q.from, q.to) };
  };

  const readSync = (q: SeriesQuery) => {
    const now = clock.now();
    return q.metrics.map((m) => readOne(m, q, now));
  };

  return {
    write(at, samples) {
      const byDevice = new Map<string, Map<number, RawValue>>();
      for (const s of samples) {
        const values = byDevice.get(s.device) ?? new Map<number, RawValue>();
        values.set(seriesId(s.device, s.object, s.metric, true)!, s.value);
        byDevice.set(s.device, values);
      }
      for (const [device, values] of byDevice) {
        const dev = deviceId(device, true)!;
        writeRaw(dev, at, values);
        for (const t of tiers.rollups) writeRollup(dev, t.stepMs, at, values);
        prune(dev, at);
      }
    },
    readSync,
    read: async (q) => readSync(q),
    latest(device, metrics, since) {
      const out = new Map<string, Map<Metric, number | null>>();
      const dev = deviceId(device, false);
      if (dev === undefined) return out;
      const wanted = new Set<string>(metrics);
      const names = new Map<number, { object: string; metric: Metric }>();
      for (const s of deviceSeries.all(device) as Row[]) {
        if (wanted.has(String(s.metric))) {
          names.set(Number(s.id), { object: String(s.object), metric: String(s.metric) as Metric });
        }
      }
      const rows = readBlocks.all(dev, 0, since - RAW_BLOCK_SPAN_MS, Number.MAX_SAFE_INTEGER) as Row[];
      for (const row of rows) {
        for (const rec of decodeRawBlock(Number(row.start), row.data as Uint8Array)) {
          if (rec.at < since) continue;
          rec.ids.forEach((id, i) => {
            const name = names.get(id);
            if (!name) return;
            const byMetric = out.get(name.object) ?? new Map<Metric, number | null>();
            byMetric.set(name.metric, rec.values[i]!);
            out.set(name.object, byMetric);
          });
        }
      }
      return out;
    },
  };
}
