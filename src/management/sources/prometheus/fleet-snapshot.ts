import { INTERFACE_COLUMNS } from "../../collectors/snmp/collect-interfaces.js";
import { type ColumnRows, compareOids } from "../../collectors/snmp/walk-columns.js";
import { type BatchTarget, labelMatcher } from "./batches.js";
import { MIB_COLUMNS, type MibColumn } from "./mib-columns.js";
import { cellValue, type MibEntry } from "./mib-view.js";
import type { PromSample, SeriesSink } from "./prometheus-api.js";

/** The label that marks a batch answer's scrape-time series (timestamp(up), which has no name). */
export const SCRAPE_TS_LABEL = "opsbot_scrape_ts";

const NAMES = ["up", ...MIB_COLUMNS.map((c) => c.name)].join("|");

/**
 * Each column's place in OID order. No column OID lies under another's, so a view sorts by (rank,
 * row index) — numbers, not OID strings — and gets OID order (checked at load; else OID strings).
 */
const RANK = new Map(
  [...MIB_COLUMNS].sort((a, b) => compareOids(a.oid, b.oid)).map((c, i) => [c.name, i] as const),
);
const RANKS_ARE_ORDER = !MIB_COLUMNS.some((a) => MIB_COLUMNS.some((b) => b.oid.startsWith(`${a.oid}.`)));

interface Ranked {
  rank: number;
  /** The row index as a number when it is one number (ifIndex), else NaN (compare the OIDs). */
  row: number;
  entry: MibEntry;
}

const byOid = (a: Ranked, b: Ranked) =>
  RANKS_ARE_ORDER && a.rank !== b.rank
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

/** One device's series, rebuilt for the collectors. */
export interface DeviceSeries {
  /** MIB entries other than ifTable/ifXTable, in OID order (the view the other collectors walk). */
  entries: MibEntry[];
  /** ifTable/ifXTable rows built straight from the series: raw cells in INTERFACE_COLUMNS order. */
  interfaces: ColumnRows;
}

export interface BatchSnapshot extends SeriesSink {
  /** Device label value → the sample time of its last scrape (ms). */
  scrapedAt: Map<string, number>;
  up: Map<string, number>;
  /** One device's series (the batch forgets them: each device is read once). */
  take(device: string): DeviceSeries;
}

/**
 * ifTable/ifXTable columns → their cell's place in a row. Those rows skip the MIB view and the walk:
 * a 48-port device is ~700 cells, nearly all of a device's series. Each is one column with ifIndex.
 */
const IF_CELL = new Map(
  MIB_COLUMNS.filter((c) => INTERFACE_COLUMNS.includes(c.oid)).map((c) => {
    if (c.indexes.length !== 1) throw new Error(`${c.name}: an ifTable column has one index`);
    return [c.name, INTERFACE_COLUMNS.indexOf(c.oid)] as const;
  }),
);

/** The value of label `key` in [name, value, …] pairs. */
function label(labels: readonly string[], key: string): string | undefined {
  for (let i = 0; i < labels.length; i += 2) if (labels[i] === key) return labels[i + 1];
  return undefined;
}

/**
 * Collects a batch answer's series (fed one by one by PrometheusApi.queryInto) into per-device scrape
 * time, `up`, ifTable rows and other MIB entries. A series missing an index label, or a string metric
 * without its value label, is skipped: it cannot be placed in a MIB view. Pure.
 */
export function createBatchReader(
  columns: ReadonlyMap<string, MibColumn>,
  deviceLabel: string,
): BatchSnapshot {
  const entries = new Map<string, Ranked[]>();
  const rows = new Map<string, ColumnRows>();
  const width = INTERFACE_COLUMNS.length;
  const scrapedAt = new Map<string, number>();
  const up = new Map<string, number>();
  // Series come sorted by name: the last name's column and cell are looked up once per run of it.
  let lastName: string | undefined;
  let lastColumn: MibColumn | undefined;
  let lastCell: number | undefined;
  /** One entry, refilled per ifTable cell (cellValue reads it; nothing keeps it). */
  const scratch: MibEntry = { oid: "", kind: "int", value: 0 };
  return {
    scrapedAt,
    up,
    take(device) {
      const list = entries.get(device) ?? [];
      const interfaces = rows.get(device) ?? new Map();
      entries.delete(device);
      rows.delete(device);
      return { entries: list.sort(byOid).map((r) => r.entry), interfaces };
    },
    add(labels, printed) {
      let device: string | undefined;
      let name: string | undefined;
      let scrapeTs = false;
      for (let i = 0; i < labels.length; i += 2) {
        const k = labels[i];
        if (k === deviceLabel) device = labels[i + 1];
        else if (k === "__name__") name = labels[i + 1];
        else if (k === SCRAPE_TS_LABEL) scrapeTs = true;
      }
      if (device === undefined) return;
      if (name === undefined) {
        if (scrapeTs) scrapedAt.set(device, Math.round(Number(printed) * 1000));
        return;
      }
      if (name === "up") {
        up.set(device, Number(printed));
        return;
      }
      if (name !== lastName) {
        lastName = name;
        lastColumn = columns.get(name);
        lastCell = IF_CELL.get(name);
      }
      const column = lastColumn;
      if (!column) return;
      const cell = lastCell;
      if (cell !== undefined) {
        const index = label(labels, column.indexes[0]!);
        if (index === undefined || !isDigits(index)) return;
        if (column.kind === "string" || column.kind === "oid") {
          const text = label(labels, column.name);
          if (text === undefined) return;
          scratch.value = text;
        } else {
          const value = Number(printed);
          if (!Number.isFinite(value)) return;
          scratch.value = value;
        }
        scratch.kind = column.kind;
        let table = rows.get(device);
        if (!table) {
          table = new Map();
          rows.set(device, table);
        }
        let row = table.get(index);
        if (!row) {
          row = new Array(width);
          table.set(index, row);
        }
        row[cell] = cellValue(scratch);
        return;
      }
      const entry = toEntry(column, labels, Number(printed));
      if (!entry) return;
      let list = entries.get(device);
      if (!list) {
        list = [];
        entries.set(device, list);
      }
      const row = column.indexes.length === 1 ? Number(label(labels, column.indexes[0]!)) : Number.NaN;
      list.push({ rank: RANK.get(name)!, row, entry });
    },
  };
}

/** A row index of decimal digits only (what `^\d+$` tests), without a regex per series. */
function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Sample objects (PrometheusApi.query) → a batch snapshot, as queryInto would have fed it. */
export function readBatch(
  samples: readonly PromSample[],
  columns: ReadonlyMap<string, MibColumn>,
  deviceLabel: string,
): BatchSnapshot {
  const reader = createBatchReader(columns, deviceLabel);
  for (const s of samples) reader.add(Object.entries(s.labels).flat(), String(s.value));
  return reader;
}

function toEntry(column: MibColumn, labels: readonly string[], value: number): MibEntry | undefined {
  let index = "0";
  if (column.indexes.length > 0) {
    const parts = column.indexes.map((l) => label(labels, l));
    if (parts.some((p) => p === undefined || !isDigits(p))) return undefined;
    index = parts.join(".");
  }
  return valueEntry(column, `${column.oid}.${index}`, labels, value);
}

function valueEntry(
  column: MibColumn,
  oid: string,
  labels: readonly string[],
  value: number,
): MibEntry | undefined {
  if (column.kind === "string" || column.kind === "oid") {
    const text = label(labels, column.name);
    return text === undefined ? undefined : { oid, kind: column.kind, value: text };
  }
  return Number.isFinite(value) ? { oid, kind: column.kind, value } : undefined;
}
