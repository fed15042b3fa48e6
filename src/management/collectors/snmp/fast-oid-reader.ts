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

/** Decodes the content octets buf[start, end) of an OBJECT IDENTIFIER like asn1-ber does. */
export function decodeOid(buf: Uint8Array, start: number, end: number): string {
  let out = "";
  let value = 0;
  let first = true;
  for (let i = start; i < end; i++) {
    const byte = buf[i]!;
    value = (value << 7) | (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      const sub = value >>> 0;
      if (first) {
        out = `${(sub / 40) >> 0}.${sub % 40}`;
        first = false;
      } else {
        out += `.${sub}`;
      }
      value = 0;
    }
  }
  return out;
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
