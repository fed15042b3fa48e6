import type snmp from "net-snmp";

/**
 * A GetBulk reply as walkColumns reads it: list j answers requested OID j, its repetitions in order
 * (a list is shorter when the agent sent fewer). Two readings of it: varbind objects (net-snmp's
 * SNMPv3 sessions, the Prometheus source's MIB view) and the received packet itself
 * (raw-bulk-reply.ts, SNMPv2c), where a column's values go into rows without an object or OID string
 * per varbind. Both answer every question below exactly alike for the same varbinds.
 */
export interface BulkReply {
  /** How many lists (requested OIDs that got at least one varbind). */
  readonly lists: number;
  /** Varbinds in list j. */
  size(list: number): number;
  type(list: number, rep: number): number;
  /**
   * The value in net-snmp's representation of its type — except that a Counter64 may come as the
   * bigint it reads as (values.ts counter64() takes either).
   */
  value(list: number, rep: number): unknown;
  oid(list: number, rep: number): string;
  /** Whether the varbind's OID starts with `column.prefix` (the column's OID and a dot). */
  under(list: number, rep: number, column: WalkColumn): boolean;
  /**
   * Whether the varbind's OID is exactly `column`'s OID, a dot and `row`'s index. May answer false
   * when it cannot tell cheaply: the walk then finds the row by its index string.
   */
  isRow(list: number, rep: number, column: WalkColumn, row: WalkRow): boolean;
  /** What `isRow` needs to recognise this varbind's row later (undefined when it cannot). */
  rowKey(list: number, rep: number, column: WalkColumn): number | undefined;
}

/** A walked column, in the forms the replies compare OIDs with. */
export interface WalkColumn {
  readonly oid: string;
  /** "oid." as a flat string (see flatString). */
  readonly prefix: string;
  /** The column OID's content octets when decoding them gives back `oid` exactly; else undefined. */
  readonly encoded: Uint8Array | undefined;
}

/** A row of a walk: its index ("12", "1.3"), its key for BulkReply.isRow, its values by column. */
export interface WalkRow {
  readonly index: string;
  readonly key: number | undefined;
  readonly values: unknown[];
}

/**
 * A string V8 keeps flat: a template literal of this length is a rope, and reading a rope's
 * characters costs a lookup each time.
 */
export function flatString(s: string): string {
  return Buffer.from(s, "latin1").toString("latin1");
}

/** The reply over varbind objects, one list per requested OID. */
export function varbindReply(lists: readonly snmp.Varbind[][]): BulkReply {
  const at = (j: number, i: number): snmp.Varbind => lists[j]![i]!;
  return {
    lists: lists.length,
    size: (j) => lists[j]?.length ?? 0,
    type: (j, i) => at(j, i).type,
    value: (j, i) => at(j, i).value,
    oid: (j, i) => at(j, i).oid,
    under: (j, i, column) => underColumn(at(j, i).oid, column.prefix),
    isRow: (j, i, column, row) => {
      const oid = at(j, i).oid;
      return (
        oid.length - column.prefix.length === row.index.length &&
        underColumn(oid, column.prefix) &&
        endsWith(oid, row.index)
      );
    },
    rowKey: () => undefined,
  };
}

/** The reply's varbinds as objects, one list per requested OID. */
export function varbindLists(reply: BulkReply): snmp.Varbind[][] {
  const lists: snmp.Varbind[][] = new Array(reply.lists);
  for (let j = 0; j < reply.lists; j++) {
    const list: snmp.Varbind[] = new Array(reply.size(j));
    for (let i = 0; i < list.length; i++)
      list[i] = { oid: reply.oid(j, i), type: reply.type(j, i), value: reply.value(j, i) };
    lists[j] = list;
  }
  return lists;
}

/**
 * `oid.startsWith(prefix)`, compared from the prefix's end (where a
 * column's OIDs differ from the next column's): the builtin's per-call cost was 40 % of the walk's
 * own time on a 48-port poll.
 */
export function underColumn(oid: string, prefix: string): boolean {
  if (oid.length < prefix.length) return false;
  for (let i = prefix.length - 1; i >= 0; i--) if (oid.charCodeAt(i) !== prefix.charCodeAt(i)) return false;
  return true;
}

/** `oid.endsWith(suffix)`, without the builtin's per-call cost. */
function endsWith(oid: string, suffix: string): boolean {
  const offset = oid.length - suffix.length;
  if (offset < 0) return false;
  for (let i = suffix.length - 1; i >= 0; i--)
    if (oid.charCodeAt(offset + i) !== suffix.charCodeAt(i)) return false;
  return true;
}
