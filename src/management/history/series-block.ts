import { OpsbotError } from "../../lib/errors.js";

/**
 * The byte format of one stored block of series values (see migration 0140): a few consecutive polls
 * (raw) or buckets (rollups) of every series of one device. Pure.
 *
 * A block is a list of records in time order. A record is `varint(at - block start)`, `varint(entry
 * count)`, then its entries in ascending series id, each headed by `varint(id delta × 4 + tag)`:
 * - raw: 0 = unknown (a gap, never a zero), 1 = the same value as this series' previous entry in the
 *   block, 2 = a number follows;
 * - rollup buckets: 0 = no known value, 1 = the same (n, sum, min, max) as the previous bucket,
 *   2 = every value was v: n and v follow, 3 = n, sum, min and max follow.
 * A number is `varint(zigzag(v) × 2 + 1)` for a whole number up to 2^50, else a 0 byte and the float64.
 * A series missing from a record was not sampled then: no point, which is not a gap.
 */

/** One record: series ids ascending, with one value each. */
export interface BlockRecord<V> {
  at: number;
  ids: number[];
  values: V[];
}

/** A bucket's fold of the values that fell in it; n = 0 holds only unknown values. */
export interface Agg {
  n: number;
  sum: number;
  min: number;
  max: number;
}

export type RawValue = number | null;

const MAX_EXACT_INT = 2 ** 50;

class Writer {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private room(n: number) {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  varint(v: number) {
    this.room(8);
    while (v >= 128) {
      this.buf[this.length++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.length++] = v;
  }

  number(v: number) {
    if (Number.isInteger(v) && Math.abs(v) <= MAX_EXACT_INT && !Object.is(v, -0)) {
      this.varint((v >= 0 ? 2 * v : -2 * v - 1) * 2 + 1);
      return;
    }
    this.room(9);
    this.buf[this.length++] = 0;
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

const SCRATCH_BYTES = new Uint8Array(8);
const SCRATCH = new DataView(SCRATCH_BYTES.buffer);

class Reader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get done() {
    return this.pos >= this.buf.length;
  }

  varint(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.buf.length)
        throw new OpsbotError("INTERNAL", "A stored series block is cut short.");
      const b = this.buf[this.pos++]!;
      v += (b & 127) * scale;
      if (b < 128) return v;
      scale *= 128;
    }
  }

  number(): number {
    const h = this.varint();
    if (h % 2 === 1) {
      const z = (h - 1) / 2;
      return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    }
    if (this.pos + 8 > this.buf.length)
      throw new OpsbotError("INTERNAL", "A stored series block is cut short.");
    // Copied into our own buffer: SQLite hands back Buffers whose memory may not be a plain ArrayBuffer.
    for (let i = 0; i < 8; i++) SCRATCH_BYTES[i] = this.buf[this.pos + i]!;
    this.pos += 8;
    return SCRATCH.getFloat64(0, true);
  }
}

/** How one kind of block writes an entry's value given the same series' previous entry. */
interface ValueCodec<V> {
  /** The entry's tag; then `payload` writes what that tag carries. */
  tag(v: V, prev: V | undefined): number;
  payload(w: Writer, v: V, tag: number): void;
  read(r: Reader, tag: number, prev: V | undefined): V;
}

const rawCodec: ValueCodec<RawValue> = {
  tag(v, prev) {
    if (v === null) return 0;
    if (typeof prev === "number" && Object.is(prev, v)) return 1;
    return 2;
  },
  payload(w, v, tag) {
    if (tag === 2) w.number(v!);
  },
  read(r, tag, prev) {
    if (tag === 0) return null;
    if (tag === 1) return prev ?? null;
    return r.number();
  },
};

const sameAgg = (a: Agg, b: Agg) =>
  a.n === b.n && Object.is(a.sum, b.sum) && Object.is(a.min, b.min) && Object.is(a.max, b.max);

const aggCodec: ValueCodec<Agg> = {
  tag(v, prev) {
    if (v.n === 0) return 0;
    if (prev && sameAgg(prev, v)) return 1;
    return Object.is(v.min, v.max) && Object.is(v.sum, v.min * v.n) ? 2 : 3;
  },
  payload(w, v, tag) {
    if (tag === 2) {
      w.varint(v.n);
      w.number(v.min);
    } else if (tag === 3) {
      w.varint(v.n);
      w.number(v.sum);
      w.number(v.min);
      w.number(v.max);
    }
  },
  read(r, tag, prev) {
    if (tag === 0) return { n: 0, sum: 0, min: 0, max: 0 };
    if (tag === 1) return prev ?? { n: 0, sum: 0, min: 0, max: 0 };
    const n = r.varint();
    if (tag === 2) {
      const v = r.number();
      return { n, sum: v * n, min: v, max: v };
    }
    return { n, sum: r.number(), min: r.number(), max: r.number() };
  },
};

function encode<V>(codec: ValueCodec<V>, start: number, records: readonly BlockRecord<V>[]): Uint8Array {
  const w = new Writer();
  const prev = new Map<number, V>();
  for (const rec of records) {
    w.varint(rec.at - start);
    w.varint(rec.ids.length);
    let prevId = 0;
    for (let i = 0; i < rec.ids.length; i++) {
      const id = rec.ids[i]!;
      const v = rec.values[i]!;
      const tag = codec.tag(v, prev.get(id));
      w.varint((id - prevId) * 4 + tag);
      codec.payload(w, v, tag);
      prev.set(id, v);
      prevId = id;
    }
  }
  return w.bytes();
}

function decode<V>(codec: ValueCodec<V>, start: number, data: Uint8Array): BlockRecord<V>[] {
  const r = new Reader(data);
  const prev = new Map<number, V>();
  const out: BlockRecord<V>[] = [];
  while (!r.done) {
    const at = start + r.varint();
    const count = r.varint();
    const ids: number[] = new Array(count);
    const values: V[] = new Array(count);
    let id = 0;
    for (let i = 0; i < count; i++) {
      const h = r.varint();
      const tag = h % 4;
      id += (h - tag) / 4;
      const v = codec.read(r, tag, prev.get(id));
      prev.set(id, v);
      ids[i] = id;
      values[i] = v;
    }
    out.push({ at, ids, values });
  }
  return out;
}

export const encodeRawBlock = (start: number, records: readonly BlockRecord<RawValue>[]) =>
  encode(rawCodec, start, records);
export const decodeRawBlock = (start: number, data: Uint8Array) => decode(rawCodec, start, data);
export const encodeAggBlock = (start: number, records: readonly BlockRecord<Agg>[]) =>
  encode(aggCodec, start, records);
export const decodeAggBlock = (start: number, data: Uint8Array) => decode(aggCodec, start, data);

/**
 * `records` with `values` (series id → value) set at `at`: merged into the record already at that
 * time (a value given again replaces the old one), or a new record in time order. Pure.
 */
export function putRecord<V, N>(
  records: readonly BlockRecord<V>[],
  at: number,
  values: ReadonlyMap<number, N>,
  merge: (old: V | undefined, next: N) => V,
): BlockRecord<V>[] {
  const out = records.slice();
  let i = out.findIndex((r) => r.at >= at);
  if (i < 0) i = out.length;
  const old = out[i]?.at === at ? out[i]! : undefined;
  const byId = new Map<number, V>();
  if (old) for (let k = 0; k < old.ids.length; k++) byId.set(old.ids[k]!, old.values[k]!);
  for (const [id, v] of values) byId.set(id, merge(byId.get(id), v));
  const ids = [...byId.keys()].sort((a, b) => a - b);
  const rec: BlockRecord<V> = { at, ids, values: ids.map((id) => byId.get(id)!) };
  out.splice(i, old ? 1 : 0, rec);
  return out;
}

/** A value folded into a bucket: unknown values count nothing but keep the bucket (a gap). */
export function foldAgg(old: Agg | undefined, v: RawValue): Agg {
  const a = old ?? { n: 0, sum: 0, min: 0, max: 0 };
  if (v === null) return a;
  if (a.n === 0) return { n: 1, sum: v, min: v, max: v };
  return { n: a.n + 1, sum: a.sum + v, min: Math.min(a.min, v), max: Math.max(a.max, v) };
}
