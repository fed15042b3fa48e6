import type { MibColumn } from "./mib-columns.js";
import type { MibEntry } from "./mib-view.js";
import type { PromSample } from "./prometheus-api.js";

/**
 * Series → per-device MIB entries (pure). A series missing an index label, or a string metric
 * without its value label, is skipped: it cannot be placed in the device's MIB view.
 */
export function mibEntriesByDevice(
  samples: readonly PromSample[],
  columns: ReadonlyMap<string, MibColumn>,
  deviceLabel: string,
  into: Map<string, MibEntry[]> = new Map(),
): Map<string, MibEntry[]> {
  for (const s of samples) {
    const device = s.labels[deviceLabel];
    const column = columns.get(s.labels.__name__ ?? "");
    if (device === undefined || !column) continue;
    const entry = toEntry(column, s);
    if (!entry) continue;
    let list = into.get(device);
    if (!list) {
      list = [];
      into.set(device, list);
    }
    list.push(entry);
  }
  return into;
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

/** A PromQL selector for a group of metrics plus the configured matchers. */
export function selectorFor(names: readonly string[], matchers: string): string {
  const extra = matchers.trim() === "" ? "" : `,${matchers.trim()}`;
  return `{__name__=~"${names.join("|")}"${extra}}`;
}
