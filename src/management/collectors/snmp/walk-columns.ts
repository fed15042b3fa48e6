import snmp from "net-snmp";
import type { SnmpClient } from "./snmp-client.js";
import { SnmpRequestError } from "./snmp-errors.js";

/**
 * Table rows keyed by instance index ("12" for ifIndex 12, "1.3" for a two-part index); each row
 * holds the raw value of column i at position i (undefined when the agent has no such cell).
 */
export type ColumnRows = Map<string, unknown[]>;

/** A walk that needs more requests than this is looping or absurdly large: stop and say so. */
const MAX_REQUESTS = 2_000;
const MAX_STALLS = 3;

/**
 * Walks several table columns at once with GetBulk: each request carries every unfinished column,
 * so a 48-port ifTable+ifXTable of 16 columns takes 2–3 round trips instead of 30+. Handles what
 * real agents do: truncated responses (continue each column from its last OID), columns ending at
 * different rows (sparse tables), endOfMibView, and tooBig (halve the repetitions and retry).
 */
export async function walkColumns(client: SnmpClient, columns: readonly string[]): Promise<ColumnRows> {
  const rows: ColumnRows = new Map();
  const width = columns.length;
  const prefixes = columns.map((c) => `${c}.`);
  let active: number[] = columns.map((_, i) => i);
  const next: string[] = [...columns];
  let repetitions = client.maxRepetitions;
  let requests = 0;
  let stalls = 0;

  while (active.length > 0) {
    if (++requests > MAX_REQUESTS) {
      throw new SnmpRequestError("invalid", `walk of ${columns[0]}… from ${client.agent} did not end`);
    }
    let result: snmp.Varbind[][];
    try {
      result = await client.getBulk(
        active.map((i) => next[i]!),
        repetitions,
      );
    } catch (err) {
      if (err instanceof SnmpRequestError && err.kind === "agent" && err.status === 1 && repetitions > 1) {
        repetitions = Math.max(1, repetitions >> 1);
        continue;
      }
      throw err;
    }

    const stillActive: number[] = [];
    let progressed = false;
    for (let j = 0; j < active.length; j++) {
      const column = active[j]!;
      const prefix = prefixes[column]!;
      const list = result[j];
      let finished = false;
      let last: string | undefined;
      if (list) {
        for (const vb of list) {
          if (vb.type === snmp.ObjectType.EndOfMibView || !vb.oid.startsWith(prefix)) {
            finished = true;
            break;
          }
          if (snmp.isVarbindError(vb)) continue;
          const index = vb.oid.slice(prefix.length);
          let row = rows.get(index);
          if (!row) {
            row = new Array(width);
            rows.set(index, row);
          }
          row[column] = vb.value;
          last = vb.oid;
        }
      }
      if (finished) continue;
      if (last === undefined) {
        // Truncated before this column got a value: ask again from the same place.
        stillActive.push(column);
        continue;
      }
      if (compareOids(last, next[column]!) <= 0) {
        throw new SnmpRequestError(
          "invalid",
          `${client.agent} returned OIDs out of order after ${next[column]}`,
        );
      }
      next[column] = last;
      progressed = true;
      stillActive.push(column);
    }
    if (!progressed && stillActive.length > 0) {
      // A response cut down to nothing usable: ask for less, and give up if that does not help.
      if (++stalls > MAX_STALLS) {
        throw new SnmpRequestError("invalid", `${client.agent} answered a GetBulk with no usable varbinds`);
      }
      repetitions = Math.max(1, repetitions >> 1);
    } else {
      stalls = 0;
    }
    active = stillActive;
  }
  return rows;
}

/** Numeric OID comparison: -1, 0, 1. */
export function compareOids(a: string, b: string): number {
  const pa = a.split(".");
  const pb = b.split(".");
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return pa.length === pb.length ? 0 : pa.length < pb.length ? -1 : 1;
}

/** Rows in numeric index order (agents already answer in order; this makes it a guarantee). */
export function sortedIndexes(rows: ColumnRows): string[] {
  return [...rows.keys()].sort(compareOids);
}
