import { type BulkReply, flatString, varbindReply, type WalkColumn, type WalkRow } from "./bulk-reply.js";
import { decodeOid } from "./fast-oid-reader.js";
import type { SnmpClient } from "./snmp-client.js";
import { SnmpRequestError } from "./snmp-errors.js";
import { encodeOid } from "./v2c-codec.js";

/**
 * Table rows keyed by instance index ("12" for ifIndex 12, "1.3" for a two-part index); each row
 * holds the raw value of column i at position i (undefined when the agent has no such cell).
 */
export type ColumnRows = Map<string, unknown[]>;

/** A walk that needs more requests than this is looping or absurdly large: stop and say so. */
const MAX_REQUESTS = 5_000;
/** Consecutive responses without a single usable varbind before giving up. */
const MAX_STALLS = 3;

// net-snmp's ObjectType values, here so that walking (also over the Prometheus source's view of
// snmp_exporter's metrics) does not load net-snmp.
const NO_SUCH_OBJECT = 128;
const END_OF_MIB_VIEW = 130;

const TOO_BIG = 1;
const GEN_ERR = 5;

interface WalkState {
  client: SnmpClient;
  columns: readonly string[];
  keys: WalkColumn[];
  /** Where each column continues from (its last OID seen). */
  next: string[];
  rows: ColumnRows;
  /** Rows in first-seen order, and where each index is in that order. */
  order: WalkRow[];
  position: Map<string, number>;
  /** Per column: the position in `order` of the row its next value most likely belongs to. */
  cursor: number[];
  /** Per column: values seen so far. */
  seen: number[];
  expectedRows: number | undefined;
  requests: number;
}

export interface WalkOptions {
  /**
   * How many rows the table most likely has (ifNumber for ifTable). Only sizes requests: the request
   * that should reach the end asks for the rows left plus one (to see the end) instead of a full
   * max-repetitions that would come back mostly as the next column's values — a third of a 48-port
   * poll's varbinds. A wrong hint costs a request, never a row.
   */
  expectedRows?: number;
}

/**
 * Walks several table columns at once with GetBulk: each request carries every unfinished column,
 * so a 48-port ifTable+ifXTable of 16 columns takes 2–4 round trips instead of 30+. Handles what
 * real agents do: truncated responses (each column continues from its own last OID), columns
 * ending at different rows (sparse tables), endOfMibView, tooBig (fewer repetitions), and agents
 * that refuse wide requests with tooBig/genErr (the columns are split and walked in halves).
 */
export async function walkColumns(
  client: SnmpClient,
  columns: readonly string[],
  options: WalkOptions = {},
): Promise<ColumnRows> {
  const state: WalkState = {
    client,
    columns,
    keys: columns.map(walkColumn),
    next: [...columns],
    rows: new Map(),
    order: [],
    position: new Map(),
    cursor: columns.map(() => 0),
    seen: columns.map(() => 0),
    expectedRows: options.expectedRows,
    requests: 0,
  };
  await walk(
    state,
    columns.map((_, i) => i),
    client.maxRepetitions,
  );
  return state.rows;
}

async function walk(state: WalkState, columns: number[], maxRepetitions: number): Promise<void> {
  const { client, keys, next } = state;
  let active = columns;
  let repetitions = maxRepetitions;
  let stalls = 0;

  while (active.length > 0) {
    if (++state.requests > MAX_REQUESTS) {
      throw new SnmpRequestError("invalid", `walk of ${state.columns[0]}… from ${client.agent} did not end`);
    }
    let reply: BulkReply;
    try {
      const oids = active.map((i) => next[i]!);
      const repetitionsAsked = sized(state, active, repetitions);
      reply = client.getBulkReply
        ? await client.getBulkReply(oids, repetitionsAsked)
        : varbindReply(await client.getBulk(oids, repetitionsAsked));
    } catch (err) {
      const refused = err instanceof SnmpRequestError && err.kind === "agent";
      if (refused && err.status === TOO_BIG && repetitions > 1) {
        repetitions = Math.max(1, repetitions >> 1);
        continue;
      }
      if (refused && (err.status === TOO_BIG || err.status === GEN_ERR) && active.length > 1) {
        const half = active.length >> 1;
        await walk(state, active.slice(0, half), repetitions);
        await walk(state, active.slice(half), repetitions);
        return;
      }
      throw err;
    }

    const stillActive: number[] = [];
    let progressed = false;
    for (let j = 0; j < active.length; j++) {
      const column = active[j]!;
      const key = keys[column]!;
      const size = j < reply.lists ? reply.size(j) : 0;
      let finished = false;
      let lastRep = -1;
      for (let i = 0; i < size; i++) {
        const type = reply.type(j, i);
        if (type === END_OF_MIB_VIEW) {
          finished = true;
          break;
        }
        if (type >= NO_SUCH_OBJECT && type < END_OF_MIB_VIEW) {
          // snmp.isVarbindError: skipped, unless it is already past the column.
          if (!reply.under(j, i, key)) {
            finished = true;
            break;
          }
          continue;
        }
        // Every column of a table lists the same rows in the same order, so after the first column
        // a value almost always belongs to the row after the column's previous one.
        const at = state.cursor[column]!;
        const expected = state.order[at];
        let row: WalkRow;
        if (expected !== undefined && reply.isRow(j, i, key, expected)) {
          state.cursor[column] = at + 1;
          row = expected;
        } else if (reply.under(j, i, key)) {
          row = rowFor(state, reply, j, i, column);
        } else {
          finished = true;
          break;
        }
        row.values[column] = reply.value(j, i);
        state.seen[column]!++;
        lastRep = i;
      }
      if (finished) continue;
      if (lastRep < 0) {
        // Truncated before this column got a value: ask again from the same place.
        stillActive.push(column);
        continue;
      }
      const last = reply.oid(j, lastRep);
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
}

/** Columns by OID: the same few dozen are walked on every poll. Bounded: cleared when full. */
const knownColumns = new Map<string, WalkColumn>();
const WALK_COLUMNS_MAX = 4096;

function walkColumn(oid: string): WalkColumn {
  let column = knownColumns.get(oid);
  if (column === undefined) {
    column = newWalkColumn(oid);
    if (knownColumns.size >= WALK_COLUMNS_MAX) knownColumns.clear();
    knownColumns.set(oid, column);
  }
  return column;
}

/** A column in the forms a reply compares OIDs with (its encoding only when it decodes back to it). */
function newWalkColumn(oid: string): WalkColumn {
  let encoded: Uint8Array | undefined;
  try {
    const bytes = encodeOid(oid);
    if (decodeOid(bytes, 0, bytes.length) === oid) encoded = bytes;
  } catch {
    // Not an OID that can be encoded: the request for it fails with its own error.
  }
  return { oid, prefix: flatString(`${oid}.`), encoded };
}

/** Repetitions for the next request: up to the expected end (+1 to see it) when the hint says so. */
function sized(state: WalkState, active: number[], repetitions: number): number {
  if (state.expectedRows === undefined) return repetitions;
  let fewest = Number.POSITIVE_INFINITY;
  for (const column of active) fewest = Math.min(fewest, state.seen[column]!);
  const left = state.expectedRows - fewest;
  return left > 0 ? Math.min(repetitions, left + 1) : repetitions;
}

/** The row of a varbind in `column` that is not the row after the column's previous one. */
function rowFor(state: WalkState, reply: BulkReply, j: number, i: number, column: number): WalkRow {
  const key = state.keys[column]!;
  const index = reply.oid(j, i).slice(key.prefix.length);
  const known = state.position.get(index);
  if (known !== undefined) {
    state.cursor[column] = known + 1;
    return state.order[known]!;
  }
  const values: unknown[] = new Array(state.columns.length);
  const row: WalkRow = { index, key: reply.rowKey(j, i, key), values };
  state.rows.set(index, values);
  state.position.set(index, state.order.length);
  state.order.push(row);
  state.cursor[column] = state.order.length;
  return row;
}

/** Numeric OID comparison (-1, 0, 1), without splitting the strings. */
export function compareOids(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    let x = 0;
    while (i < a.length && a.charCodeAt(i) !== 46) x = x * 10 + a.charCodeAt(i++) - 48;
    let y = 0;
    while (j < b.length && b.charCodeAt(j) !== 46) y = y * 10 + b.charCodeAt(j++) - 48;
    if (x !== y) return x < y ? -1 : 1;
    i++;
    j++;
  }
  const aDone = i >= a.length;
  const bDone = j >= b.length;
  return aDone === bDone ? 0 : aDone ? -1 : 1;
}

/** Rows in numeric index order (agents already answer in order; this makes it a guarantee). */
export function sortedIndexes(rows: ColumnRows): string[] {
  return [...rows.keys()].sort(compareOids);
}
