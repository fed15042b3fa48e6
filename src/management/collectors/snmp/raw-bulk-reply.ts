import { type BulkReply, underColumn, type WalkColumn, type WalkRow } from "./bulk-reply.js";
import {
  cellAt,
  F_OID_END,
  F_OID_START,
  oidAt,
  typeAt,
  VARBIND_FIELDS,
  type VarbindList,
} from "./v2c-codec.js";

/**
 * A GetBulk reply read in the received packet (SNMPv2c): varbind k answers requested OID k mod n
 * (RFC 3416 §4.2.3). Column and row membership are decided on the OIDs' encoded bytes — a column's
 * OID encoding followed by the row's index encoding — so the walk's common case (the next row of a
 * column) builds no OID string, varbind object or per-OID list. Whenever the bytes cannot answer
 * with certainty (an agent's non-minimal encoding, a truncated last arc, a column OID that does not
 * decode back to itself) the answer comes from the decoded OID string, exactly as varbindReply gives
 * it for the same varbinds: pinned by tests against the object path on snmpsimd's replies.
 */
/** Index encodings up to this long are keyed by a number (longer ones by their string). */
const MAX_KEY_BYTES = 6;

/** An index encoding of 1–6 bytes as one number: its length, then its bytes (below 2^53). */
function packIndex(buf: Buffer, from: number, end: number): number {
  let value = end - from;
  for (let k = from; k < end; k++) value = value * 256 + buf[k]!;
  return value;
}

export function rawBulkReply(list: VarbindList, requested: number): BulkReply {
  return new RawBulkReply(list, requested);
}

class RawBulkReply implements BulkReply {
  readonly lists: number;

  constructor(
    private readonly list: VarbindList,
    private readonly requested: number,
  ) {
    this.lists = Math.min(requested, list.count);
  }

  size(j: number): number {
    return j < this.lists ? Math.ceil((this.list.count - j) / this.requested) : 0;
  }

  type(j: number, i: number): number {
    return typeAt(this.list, i * this.requested + j);
  }

  value(j: number, i: number): unknown {
    return cellAt(this.list, i * this.requested + j);
  }

  oid(j: number, i: number): string {
    return oidAt(this.list, i * this.requested + j);
  }

  under(j: number, i: number, column: WalkColumn): boolean {
    return this.indexStart(j, i, column) >= 0 || underColumn(this.oid(j, i), column.prefix);
  }

  isRow(j: number, i: number, column: WalkColumn, row: WalkRow): boolean {
    const key = row.key;
    const encoded = column.encoded;
    if (key === undefined || encoded === undefined) return false;
    const { buf, layout } = this.list;
    const f = (i * this.requested + j) * VARBIND_FIELDS;
    const start = layout[f + F_OID_START]!;
    const end = layout[f + F_OID_END]!;
    const from = start + encoded.length;
    if (end - from < 1 || end - from > MAX_KEY_BYTES || packIndex(buf, from, end) !== key) return false;
    for (let k = encoded.length - 1; k >= 0; k--) if (buf[start + k] !== encoded[k]) return false;
    return true;
  }

  rowKey(j: number, i: number, column: WalkColumn): number | undefined {
    const from = this.indexStart(j, i, column);
    if (from < 0) return undefined;
    const end = this.list.layout[(i * this.requested + j) * VARBIND_FIELDS + F_OID_END]!;
    return end - from <= MAX_KEY_BYTES ? packIndex(this.list.buf, from, end) : undefined;
  }

  /**
   * Where the index part of the varbind's OID starts when its bytes are the column's encoding and
   * then whole arcs (so its string is the column's OID, a dot and the index); -1 otherwise.
   */
  private indexStart(j: number, i: number, column: WalkColumn): number {
    const encoded = column.encoded;
    if (encoded === undefined) return -1;
    const { buf, layout } = this.list;
    const f = (i * this.requested + j) * VARBIND_FIELDS;
    const start = layout[f + F_OID_START]!;
    const end = layout[f + F_OID_END]!;
    // The last byte ends an arc (an unfinished one is dropped by decoding, not read as an arc).
    if (end - start <= encoded.length || (buf[end - 1]! & 0x80) !== 0) return -1;
    for (let k = encoded.length - 1; k >= 0; k--) if (buf[start + k] !== encoded[k]) return -1;
    return start + encoded.length;
  }
}
