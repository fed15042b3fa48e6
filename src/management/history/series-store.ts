import type { Clock } from "../../lib/clock.js";
import type { Store } from "../../store/store.js";
import type { HistoryReader, Metric, Sample, SeriesData, SeriesPoint, SeriesQuery } from "./metrics.js";
import { bucketStart, type SeriesTiers } from "./retention.js";

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

type Row = Record<string, unknown>;

/**
 * Time series in SQLite. A poll appends one raw row per series and folds the same value into one bucket
 * per rollup tier (count, sum, min, max), so downsampled data exists the moment the raw data does and
 * needs no background job; rows past their tier's retention are deleted in the same write, by primary
 * key range. Reads pick the finest tier that both still covers the range and fits the wanted points.
 */
export function createSeriesStore(deps: { store: Store; tiers: SeriesTiers; clock: Clock }): SeriesStore {
  const { store, tiers, clock } = deps;
  const db = store.db;
  const findSeries = db
    .prepare("SELECT id FROM series WHERE device = ? AND object = ? AND metric = ?")
    .pluck();
  const insertSeries = db.prepare("INSERT INTO series (device, object, metric) VALUES (?, ?, ?)");
  const putRaw = db.prepare("INSERT OR REPLACE INTO series_raw (series_id, at, value) VALUES (?, ?, ?)");
  const pruneRaw = db.prepare("DELETE FROM series_raw WHERE series_id = ? AND at < ?");
  const foldRollup = db.prepare(`
    INSERT INTO series_rollup (series_id, step_s, at, n, sum, min, max) VALUES (@id, @step, @at, @n, @v, @v, @v)
    ON CONFLICT (series_id, step_s, at) DO UPDATE SET
      n = n + excluded.n,
      sum = CASE WHEN excluded.sum IS NULL THEN sum ELSE coalesce(sum, 0) + excluded.sum END,
      min = CASE WHEN excluded.min IS NULL THEN min WHEN min IS NULL THEN excluded.min
                 ELSE min(min, excluded.min) END,
      max = CASE WHEN excluded.max IS NULL THEN max WHEN max IS NULL THEN excluded.max
                 ELSE max(max, excluded.max) END`);
  const pruneRollup = db.prepare("DELETE FROM series_rollup WHERE series_id = ? AND step_s = ? AND at < ?");
  const readRaw = db.prepare(
    "SELECT at, value FROM series_raw WHERE series_id = ? AND at >= ? AND at <= ? ORDER BY at",
  );
  const countRaw = db
    .prepare("SELECT count(*) FROM series_raw WHERE series_id = ? AND at >= ? AND at <= ?")
    .pluck();
  const readRollup = db.prepare(`
    SELECT at, n, sum, min, max FROM series_rollup
    WHERE series_id = ? AND step_s = ? AND at >= ? AND at <= ? ORDER BY at`);
  const deviceSeries = db.prepare("SELECT id, object, metric FROM series WHERE device = ?");
  const newestRaw = db.prepare(
    "SELECT at, value FROM series_raw WHERE series_id = ? AND at >= ? ORDER BY at DESC LIMIT 1",
  );

  // Ids of series known to be committed. A series inserted in this transaction is not cached until a
  // later poll finds it, so a rolled-back poll can never leave a stale id behind.
  const ids = new Map<string, number>();
  const seriesId = (s: Sample, create: boolean): number | undefined => {
    const key = `${s.device}\u0001${s.object}\u0001${s.metric}`;
    const cached = ids.get(key);
    if (cached !== undefined) return cached;
    const found = findSeries.get(s.device, s.object, s.metric) as number | undefined;
    if (found !== undefined) {
      ids.set(key, found);
      return found;
    }
    if (!create) return undefined;
    return Number(insertSeries.run(s.device, s.object, s.metric).lastInsertRowid);
  };
  // Pruning deletes by primary-key range, but most polls would find nothing to delete: each series is
  // pruned once per clock hour (and on its first write after a start), which bounds the rows kept to
  // retention + 1 hour.
  const prunedHour = new Map<number, number>();
  const PRUNE_EVERY_MS = 3_600_000;

  const lookup = (device: string, object: string, metric: Metric) =>
    seriesId({ device, object, metric, value: null }, false);

  const pickTier = (id: number, q: SeriesQuery, now: number): { stepMs: number } => {
    const age = now - q.from;
    if (age <= tiers.rawKeepMs && (countRaw.get(id, q.from, q.to) as number) <= q.maxPoints)
      return { stepMs: 0 };
    const covering = tiers.rollups.filter((t) => t.keepMs >= age);
    const fits = covering.find((t) => (q.to - q.from) / t.stepMs <= q.maxPoints);
    if (fits) return fits;
    // Nothing fits the wanted points: the coarsest that still covers the range, else the coarsest kept.
    const fallback = covering.at(-1) ?? tiers.rollups.at(-1);
    return fallback ?? { stepMs: 0 };
  };

  const readOne = (metric: Metric, q: SeriesQuery, now: number): SeriesData => {
    const id = lookup(q.device, q.object, metric);
    if (id === undefined) return { metric, stepMs: 0, points: [] };
    const { stepMs } = pickTier(id, q, now);
    if (stepMs === 0) {
      const points = (readRaw.all(id, q.from, q.to) as Row[]).map(
        (r): SeriesPoint => ({ at: Number(r.at), value: r.value === null ? null : Number(r.value) }),
      );
      return { metric, stepMs: 0, points };
    }
    const rows = readRollup.all(id, stepMs / 1000, bucketStart(q.from, stepMs), q.to) as Row[];
    const points = rows.map((r): SeriesPoint => {
      const n = Number(r.n);
      return n === 0
        ? { at: Number(r.at), value: null, min: null, max: null }
        : { at: Number(r.at), value: Number(r.sum) / n, min: Number(r.min), max: Number(r.max) };
    });
    return { metric, stepMs, points };
  };

  const readSync = (q: SeriesQuery) => {
    const now = clock.now();
    return q.metrics.map((m) => readOne(m, q, now));
  };

  return {
    write(at, samples) {
      for (const s of samples) {
        const id = seriesId(s, true)!;
        putRaw.run(id, at, s.value);
        for (const t of tiers.rollups) {
          const step = t.stepMs / 1000;
          foldRollup.run({
            id,
            step,
            at: bucketStart(at, t.stepMs),
            n: s.value === null ? 0 : 1,
            v: s.value,
          });
        }
        const hour = Math.floor(at / PRUNE_EVERY_MS);
        if (prunedHour.get(id) === hour) continue;
        prunedHour.set(id, hour);
        pruneRaw.run(id, at - tiers.rawKeepMs);
        for (const t of tiers.rollups) pruneRollup.run(id, t.stepMs / 1000, at - t.keepMs);
      }
    },
    readSync,
    read: async (q) => readSync(q),
    latest(device, metrics, since) {
      const wanted = new Set<string>(metrics);
      const out = new Map<string, Map<Metric, number | null>>();
      for (const s of deviceSeries.all(device) as Row[]) {
        const metric = String(s.metric) as Metric;
        if (!wanted.has(metric)) continue;
        const row = newestRaw.get(Number(s.id), since) as Row | undefined;
        if (!row) continue;
        const object = String(s.object);
        const byMetric = out.get(object) ?? new Map<Metric, number | null>();
        byMetric.set(metric, row.value === null ? null : Number(row.value));
        out.set(object, byMetric);
      }
      return out;
    },
  };
}
