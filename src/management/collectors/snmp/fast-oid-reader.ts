import { createRequire } from "node:module";

/**
 * net-snmp decodes every OID through asn1-ber's Reader.readOID, which copies the bytes, pushes the
 * sub-identifiers into an array, shifts/unshifts it and joins: a fifth of the poller's CPU on a
 * 48-port walk. This swaps in a decoder that reads the buffer in place and builds the string
 * directly — same output for every input, including the library's quirks (first octet split as
 * X = v / 40, Y = v % 40 for any v; sub-identifiers truncated to 32 bits) — so a poll stays within
 * its CPU budget. Installed once, process-wide; idempotent.
 */

interface BerReader {
  _buf: Buffer;
  _offset: number;
  _size: number;
  length: number;
  peek(): number | null;
  readLength(offset: number): number | null;
  readOID(tag?: number): string | null;
}

type ReadOid = ((this: BerReader, tag?: number) => string | null) & { original?: ReadOid };

const OID_TAG = 0x06;

/**
 * Digits are written as ASCII into this scratch buffer and read back as one flat string: building
 * the OID with `+=` makes a rope of ~2 small strings per arc that the first `startsWith` flattens
 * again — most of the poller's garbage. 11 bytes per arc covers "." + 10 digits of a 32-bit value.
 */
let scratch = Buffer.allocUnsafe(512);

function writeNumber(at: number, n: number): number {
  if (n < 10) {
    scratch[at] = 48 + n;
    return at + 1;
  }
  if (n < 100) {
    const tens = (n * 205) >> 11; // n / 10 for n < 1024
    scratch[at] = 48 + tens;
    scratch[at + 1] = 48 + n - tens * 10;
    return at + 2;
  }
  let digits = 0;
  for (let v = n; v > 0; v = Math.floor(v / 10)) digits++;
  let i = at + digits;
  for (let v = n; v > 0; v = Math.floor(v / 10)) scratch[--i] = 48 + (v % 10);
  return at + digits;
}

/**
 * Decoded OIDs by their encoding: a poll reads the same OIDs every cycle (each column × each row,
 * the same on every switch of a model), so most decodes find their string here instead of building
 * one — no digits written, no new string to collect. Direct-mapped on a hash of the content octets,
 * checked byte for byte; a miss (or a longer OID) decodes and takes the slot.
 */
const CACHE_SLOTS = 8192; // a power of two
const CACHE_WIDTH = 32; // bytes per slot: [length + 1, content octets…]
const cachedBytes = new Uint8Array(CACHE_SLOTS * CACHE_WIDTH);
const cachedStrings: string[] = new Array(CACHE_SLOTS).fill("");

/** Decodes the content octets buf[start, end) of an OBJECT IDENTIFIER like asn1-ber does. */
export function decodeOid(buf: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length <= 0 || length >= CACHE_WIDTH) return decodeOidUncached(buf, start, end);
  let hash = 0x811c9dc5 ^ length;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193);
  const base = ((hash >>> 0) & (CACHE_SLOTS - 1)) * CACHE_WIDTH;
  if (cachedBytes[base] === length + 1) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (cachedBytes[base + 1 + i] !== buf[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return cachedStrings[base / CACHE_WIDTH]!;
  }
  const oid = decodeOidUncached(buf, start, end);
  cachedBytes[base] = length + 1;
  for (let i = 0; i < length; i++) cachedBytes[base + 1 + i] = buf[start + i]!;
  cachedStrings[base / CACHE_WIDTH] = oid;
  return oid;
}

function decodeOidUncached(buf: Uint8Array, start: number, end: number): string {
  const room = (end - start) * 11 + 12;
  if (scratch.length < room) scratch = Buffer.allocUnsafe(room);
  let at = 0;
  let value = 0;
  let first = true;
  for (let i = start; i < end; i++) {
    const byte = buf[i]!;
    value = (value << 7) | (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      const sub = value >>> 0;
      if (first) {
        at = writeNumber(at, (sub / 40) >> 0);
        scratch[at++] = 46;
        at = writeNumber(at, sub % 40);
        first = false;
      } else {
        scratch[at++] = 46;
        at = writeNumber(at, sub);
      }
      value = 0;
    }
  }
  return scratch.toString("latin1", 0, at);
}

/** asn1-ber's Reader prototype, as resolved from net-snmp (whose copy is the one that matters). */
export function berReaderPrototype(): BerReader {
  const requireFromHere = createRequire(import.meta.url);
  const requireFromNetSnmp = createRequire(requireFromHere.resolve("net-snmp"));
  const ber = requireFromNetSnmp("asn1-ber") as { Ber: { Reader: { prototype: BerReader } } };
  return ber.Ber.Reader.prototype;
}

export function installFastOidReader(): void {
  const proto = berReaderPrototype();
  const current = proto.readOID as ReadOid;
  if (current.original) return;
  const original = current;
  const fast: ReadOid = function (this: BerReader, tag?: number): string | null {
    const expected = tag || OID_TAG;
    // Anything unusual (wrong tag → the library's error, empty OID) takes the original path.
    if (this.peek() !== expected) return original.call(this, tag);
    const contentStart = this.readLength(this._offset + 1);
    if (contentStart === null) return null;
    if (this.length > this._size - contentStart) return null;
    if (this.length === 0) return original.call(this, tag);
    this._offset = contentStart + this.length;
    return decodeOid(this._buf, contentStart, this._offset);
  };
  fast.original = original;
  proto.readOID = fast;
}
