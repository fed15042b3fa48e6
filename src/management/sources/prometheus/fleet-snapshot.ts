import { compareOids } from "../../collectors/snmp/walk-columns.js";
import { type BatchTarget, labelMatcher } from "./batches.js";
import { MIB_COLUMNS, type MibColumn } from "./mib-columns.js";
import type { MibEntry } from "./mib-view.js";
import type { PromSample } from "./prometheus-api.js";

/** The label that marks a batch answer's scrape-time series (timestamp(up), which has no name). */
export const SCRAPE_TS_LABEL = "opsbot_scrape_ts";

const NAMES = ["up", ...MIB_COLUMNS.map((c) => c.name)].join("|");

/**
 * Each column's place in OID order. No column OID lies under another's, so a view sorts by (rank,
 * row index) — numbers, not OID strings — and gets OID order (checked once; else OID strings).
 * Worked out on the first snapshot, not at module load: every cold start loads this module.
 */
let order: { rank: Map<string, number>; ranksAreOrder: boolean } | undefined;
function columnOrder() {
  order ??= {
    rank: new Map(
      [...MIB_COLUMNS].sort((a, b) => compareOids(a.oid, b.oid)).map((c, i) => [c.name, i] as const),
    ),
    ranksAreOrder: !MIB_COLUMNS.some((a) => MIB_COLUMNS.some((b) => b.oid.startsWith(`${a.oid}.`))),
  };
  return order;
}

interface Ranked {
  rank: number;
  /** The row index as a number when it is one number (ifIndex), else NaN (compare the OIDs). */
  row: number;
  entry: MibEntry;
}

const byOid = (a: Ranked, b: Ranked) =>
  columnOrder().ranksAreOrder && a.rank !== b.rank
    ? a.rank - b.rank
    : !Number.isNaN(a.row) && !Number.isNaN(b.row) && a.rank === b.rank
      ? a.row - b.row
      : compareOids(a.entry.oid, b.entry.oid);

/**
 * One instant query for a batch of devices: each device's scrape time (`timestamp(up)`, tagged with a
 * label of its own so `or` keeps every series) plus its `up` and every MIB metric the collectors read.
 * One request per batch: a batch is read whole or not at all.
 */
export function batchQuery(batch: readonly BatchTarget[], deviceLabel: string, matchers: string): string {
  const selector = [
    labelMatcher(
      deviceLabel,
      batch.flatMap((t) => t.values),
    ),
    matchers.trim(),
  ]
    .filter((m) => m !== "")
    .join(",");
  return (
    `label_replace(timestamp(up{${selector}}), "${SCRAPE_TS_LABEL}", "1", "", "")` +
    ` or {__name__=~"${NAMES}",${selector}}`
  );
}

export interface BatchSnapshot {
  /** Device label value → the sample time of its last scrape (ms). */
  scrapedAt: Map<string, number>;
  up: Map<string, number>;
  /** One device's MIB entries in OID order (the batch forgets them: each device is read once). */
  take(device: string): MibEntry[];
}

/**
 * A batch answer → per-device scrape time, `up` and MIB entries (pure). A series missing an index
 * label, or a string metric without its value label, is skipped: it cannot be placed in a MIB view.
 */
export function readBatch(
  samples: readonly PromSample[],
  columns: ReadonlyMap<string, MibColumn>,
  deviceLabel: string,
): BatchSnapshot {
  const entries = new Map<string, Ranked[]>();
  const { rank } = columnOrder();
  const out: BatchSnapshot = {
    scrapedAt: new Map(),
    up: new Map(),
    take(device) {
      const list = entries.get(device) ?? [];
      entries.delete(device);
      return list.sort(byOid).map((r) => r.entry);
    },
  };
  for (const s of samples) {
    const device = s.labels[deviceLabel];
    if (device === undefined) continue;
    const name = s.labels.__name__;
    if (name === undefined) {
      if (s.labels[SCRAPE_TS_LABEL] !== undefined) out.scrapedAt.set(device, Math.round(s.value * 1000));
      continue;
    }
    if (name === "up") {
      out.up.set(device, s.value);
      continue;
    }
    const column = columns.get(name);
    const entry = column && toEntry(column, s);
    if (!entry) continue;
    let list = entries.get(device);
    if (!list) {
      list = [];
      entries.set(device, list);
    }
    const row = column.indexes.length === 1 ? Number(s.labels[column.indexes[0]!]) : Number.NaN;
    list.push({ rank: rank.get(name)!, row, entry });
  }
  return out;
}

function toEntry(column: MibColumn, s: PromSample): MibEntry | undefined {
  let index = "0";
  if (column.indexes.length > 0) {
    const parts = column.indexes.map((l) => s.labels[l]);
    if (parts.some((p) => p === undefined || !/^\d+$/.test(p))) return undefined;
    index = parts.join(".");
  }
  const oid = `${column.oid}.${index}`;
  if (column.kind === "string" || column.kind === "oid") {
    const value = s.labels[column.name];
    return value === undefined ? undefined : { oid, kind: column.kind, value };
  }
  return Number.isFinite(s.value) ? { oid, kind: column.kind, value: s.value } : undefined;
}
