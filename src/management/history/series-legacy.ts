import type { Store } from "../../store/store.js";
import { bucketStart } from "./retention.js";
import { type Agg, type BlockRecord, encodeAggBlock, encodeRawBlock, type RawValue } from "./series-block.js";

type Row = Record<string, unknown>;

/**
 * Moves series written before migration 0140 (migration 161's row per value) into blocks, then drops
 * the old tables, in one transaction; nothing to do once they are gone. A fresh database has them
 * empty (161 runs after 140), so this only drops them. Blocks are cut as the series store cuts them.
 */
export function convertLegacySeries(
  store: Store,
  limits: { rawPolls: number; rawSpanMs: number; rollupBuckets: number },
): void {
  const db = store.db;
  const legacy = db
    .prepare(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('series_raw', 'series_rollup')",
    )
    .pluck()
    .get() as number;
  if (legacy === 0) return;
  const ensureDevice = db.prepare("INSERT OR IGNORE INTO series_device (name) VALUES (?)");
  const deviceId = db.prepare("SELECT id FROM series_device WHERE name = ?").pluck();
  const put = db.prepare(
    "INSERT OR REPLACE INTO series_block (device_id, step_s, start, end_at, data) VALUES (?, ?, ?, ?, ?)",
  );
  store.tx(() => {
    for (const device of db.prepare("SELECT DISTINCT device FROM series").pluck().all() as string[]) {
      ensureDevice.run(device);
      const dev = deviceId.get(device) as number;
      const raw = db
        .prepare(`SELECT r.series_id AS id, r.at, r.value FROM series_raw r JOIN series s ON s.id = r.series_id
                  WHERE s.device = ? ORDER BY r.at, r.series_id`)
        .all(device) as Row[];
      let block: BlockRecord<RawValue>[] = [];
      const flush = () => {
        if (block.length)
          put.run(dev, 0, block[0]!.at, block.at(-1)!.at, encodeRawBlock(block[0]!.at, block));
        block = [];
      };
      for (const r of raw) {
        const at = Number(r.at);
        let rec = block.at(-1);
        if (rec?.at !== at) {
          const start = block[0]?.at ?? at;
          if (block.length >= limits.rawPolls || at - start >= limits.rawSpanMs) flush();
          rec = { at, ids: [], values: [] };
          block.push(rec);
        }
        rec.ids.push(Number(r.id));
        rec.values.push(r.value === null ? null : Number(r.value));
      }
      flush();
      const rollups = db
        .prepare(`SELECT r.series_id AS id, r.step_s, r.at, r.n, r.sum, r.min, r.max FROM series_rollup r
                  JOIN series s ON s.id = r.series_id WHERE s.device = ? ORDER BY r.step_s, r.at, r.series_id`)
        .all(device) as Row[];
      const blocks = new Map<string, { step: number; start: number; records: BlockRecord<Agg>[] }>();
      for (const r of rollups) {
        const step = Number(r.step_s);
        const at = Number(r.at);
        const start = bucketStart(at, step * 1000 * limits.rollupBuckets);
        const key = `${step}:${start}`;
        const b = blocks.get(key) ?? { step, start, records: [] };
        blocks.set(key, b);
        let rec = b.records.at(-1);
        if (rec?.at !== at) {
          rec = { at, ids: [], values: [] };
          b.records.push(rec);
        }
        const n = Number(r.n);
        rec.ids.push(Number(r.id));
        rec.values.push(
          n === 0
            ? { n: 0, sum: 0, min: 0, max: 0 }
            : { n, sum: Number(r.sum), min: Number(r.min), max: Number(r.max) },
        );
      }
      for (const b of blocks.values())
        put.run(dev, b.step, b.start, b.records.at(-1)!.at, encodeAggBlock(b.start, b.records));
    }
    db.exec("DROP TABLE IF EXISTS series_raw; DROP TABLE IF EXISTS series_rollup;");
  });
}
