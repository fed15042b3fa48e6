import type snmp from "net-snmp";
import { decodeOid } from "./fast-oid-reader.js";
import { counter64Octets } from "./values.js";

/**
 * SNMPv2c messages (RFC 3416 over RFC 1901's community framing) encoded into one buffer and decoded
 * in one pass over the received buffer. This is the poller's hot path: through net-snmp (a Session
 * and Engine per poll, requests built by an array-backed writer, replies read by a generic BER reader
 * that copies every value) a 48-port poll at 200 in flight cost 2.2 ms CPU with ~40 % in GC; here
 * ~1.7 ms, and ~30–45 % less once warm (bench/snmp-poll.ts section 4).
 * A reply's varbinds are checked and located in one pass (decodeMessage) and read from the packet
 * when asked for; read as objects (decodeResponse) they are exactly what net-snmp hands over — the
 * same `{oid, type, value}` objects with the same value representations — pinned by tests against
 * net-snmp's decoding of the same packets from snmpsimd. SNMPv3 stays with net-snmp.
 */

export const PDU_GET = 0xa0;
export const PDU_GET_NEXT = 0xa1;
export const PDU_RESPONSE = 0xa2;
export const PDU_GET_BULK = 0xa5;

const VERSION_2C = 1;

const T_BOOLEAN = 0x01;
const T_INTEGER = 0x02;
const T_BIT_STRING = 0x03;
const T_OCTET_STRING = 0x04;
const T_NULL = 0x05;
const T_OID = 0x06;
const T_SEQUENCE = 0x30;
const T_IP_ADDRESS = 0x40;
const T_COUNTER = 0x41;
const T_GAUGE = 0x42;
const T_TIME_TICKS = 0x43;
const T_OPAQUE = 0x44;
const T_COUNTER64 = 0x46;
const T_NO_SUCH_OBJECT = 0x80;
const T_NO_SUCH_INSTANCE = 0x81;
const T_END_OF_MIB_VIEW = 0x82;

/** Thrown for an OID that cannot be put in a request (a caller's mistake, not the agent's). */
export class OidFormatError extends Error {
  constructor(oid: string) {
    super(`not a valid OID: ${JSON.stringify(oid)}`);
    this.name = "OidFormatError";
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Sub-identifiers of a dotted OID ("1.3.6.1…"), at least two, each a 32-bit unsigned value. */
function parseOid(oid: string): number[] {
  const arcs: number[] = [];
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= oid.length; i++) {
    const c = i < oid.length ? oid.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0) throw new OidFormatError(oid);
      arcs.push(value);
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      if (++digits > 10 || value > 0xffffffff) throw new OidFormatError(oid);
    } else {
      throw new OidFormatError(oid);
    }
  }
  if (arcs.length < 2 || arcs[0]! > 2 || (arcs[0]! < 2 && arcs[1]! >= 40)) throw new OidFormatError(oid);
  return arcs;
}

function subIdLength(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  return 5;
}

/**
 * Encoded OIDs by their string: a walk asks from the last OID of each column, which are the same
 * strings poll after poll (OIDs are interned by the decoder). Bounded: cleared when full.
 */
const encodedOids = new Map<string, Buffer>();
const ENCODED_OIDS_MAX = 16_384;

/** Content octets of an OID (X.690 §8.19). The buffer is shared: never write into it. */
export function encodeOid(oid: string): Buffer {
  let encoded = encodedOids.get(oid);
  if (encoded === undefined) {
    encoded = encodeOidUncached(oid);
    if (encodedOids.size >= ENCODED_OIDS_MAX) encodedOids.clear();
    encodedOids.set(oid, encoded);
  }
  return encoded;
}

function encodeOidUncached(oid: string): Buffer {
  const arcs = parseOid(oid);
  const first = arcs[0]! * 40 + arcs[1]!;
  let length = subIdLength(first);
  for (let i = 2; i < arcs.length; i++) length += subIdLength(arcs[i]!);
  const out = Buffer.allocUnsafe(length);
  let at = writeSubId(out, 0, first);
  for (let i = 2; i < arcs.length; i++) at = writeSubId(out, at, arcs[i]!);
  return filled(out, at);
}

function writeSubId(out: Buffer, at: number, n: number): number {
  const len = subIdLength(n);
  for (let k = len - 1; k > 0; k--) out[at++] = 0x80 | (Math.floor(n / 2 ** (7 * k)) & 0x7f);
  out[at++] = n & 0x7f;
  return at;
}

/** An encoder's own consistency check: every byte sized up front was written, no more. */
function filled(out: Buffer, at: number): Buffer {
  if (at !== out.length) throw new Error(`SNMP encoder wrote ${at} of ${out.length} bytes`);
  return out;
}

function lengthOfLength(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 4;
}

function writeHeader(out: Buffer, at: number, tag: number, length: number): number {
  out[at++] = tag;
  if (length < 0x80) out[at++] = length;
  else if (length < 0x100) {
    out[at++] = 0x81;
    out[at++] = length;
  } else if (length < 0x10000) {
    out[at++] = 0x82;
    out[at++] = length >> 8;
    out[at++] = length & 0xff;
  } else {
    out[at++] = 0x83;
    out[at++] = length >> 16;
    out[at++] = (length >> 8) & 0xff;
    out[at++] = length & 0xff;
  }
  return at;
}

/** Content length of a minimal two's-complement INTEGER. */
function intLength(n: number): number {
  let len = 1;
  while (len < 4 && (n < -(2 ** (8 * len - 1)) || n >= 2 ** (8 * len - 1))) len++;
  return len;
}

function writeInt(out: Buffer, at: number, n: number): number {
  const len = intLength(n);
  at = writeHeader(out, at, T_INTEGER, len);
  out.writeIntBE(n, at, len);
  return at + len;
}

export interface RequestPdu {
  type: typeof PDU_GET | typeof PDU_GET_NEXT | typeof PDU_GET_BULK;
  /** Request-id: a signed 32-bit integer. */
  id: number;
  oids: readonly string[];
  /** GetBulk only (non-repeaters is always 0 here). */
  maxRepetitions?: number;
}

/**
 * The encoded varbind list of a request ({OID, NULL} each), reusable across requests for the same
 * OIDs: only the PDU header (request-id, max-repetitions) differs between them.
 */
export function encodeVarbindList(oids: readonly string[]): Buffer {
  const encoded = oids.map(encodeOid);
  let content = 0;
  for (const oid of encoded) {
    const vb = 1 + lengthOfLength(oid.length) + oid.length + 2;
    content += 1 + lengthOfLength(vb) + vb;
  }
  const out = Buffer.allocUnsafe(1 + lengthOfLength(content) + content);
  let at = writeHeader(out, 0, T_SEQUENCE, content);
  for (const oid of encoded) {
    at = writeHeader(out, at, T_SEQUENCE, 1 + lengthOfLength(oid.length) + oid.length + 2);
    at = writeHeader(out, at, T_OID, oid.length);
    at += oid.copy(out, at);
    out[at++] = T_NULL;
    out[at++] = 0;
  }
  return filled(out, at);
}

/** A whole v2c request message around an encoded varbind list. */
export function encodeRequest(
  community: Buffer,
  type: RequestPdu["type"],
  id: number,
  maxRepetitions: number,
  varbindList: Buffer,
): Buffer {
  const bulk = type === PDU_GET_BULK;
  const pduContent = 2 + intLength(id) + 3 + (bulk ? 2 + intLength(maxRepetitions) : 3) + varbindList.length;
  const communityTlv = 1 + lengthOfLength(community.length) + community.length;
  const messageContent = 3 + communityTlv + 1 + lengthOfLength(pduContent) + pduContent;
  const out = Buffer.allocUnsafe(1 + lengthOfLength(messageContent) + messageContent);
  let at = writeHeader(out, 0, T_SEQUENCE, messageContent);
  at = writeInt(out, at, VERSION_2C);
  at = writeHeader(out, at, T_OCTET_STRING, community.length);
  at += community.copy(out, at);
  at = writeHeader(out, at, type, pduContent);
  at = writeInt(out, at, id);
  at = writeInt(out, at, 0); // error-status / non-repeaters
  at = writeInt(out, at, bulk ? maxRepetitions : 0); // error-index / max-repetitions
  at += varbindList.copy(out, at);
  return filled(out, at);
}

// ---------------------------------------------------------------------------------------------
// Decoding

export interface Response {
  version: number;
  /** Whether the message's community equals the one asked for (compared as bytes). */
  communityMatches: boolean;
  pduType: number;
  id: number;
  errorStatus: number;
  errorIndex: number;
  /** The varbinds, checked and located in the packet but not yet turned into objects. */
  varbinds: VarbindList;
}

/**
 * A received varbind list, every element already checked: where each varbind's OID content octets
 * start and end in `buf` (VARBIND_FIELDS numbers per varbind; the value's tag is where the OID
 * ends). Nothing is allocated per varbind until asked for (oidAt / valueAt): a GetBulk reply is read
 * straight into a walk's rows (raw-bulk-reply.ts) with no varbind objects and no OID strings in
 * between. (A plain array instead of the typed array made a poll's young-generation garbage grow by
 * a fifth: more scavenges than the typed array's own allocation costs.)
 */
export interface VarbindList {
  readonly buf: Buffer;
  readonly count: number;
  readonly layout: Int32Array;
}

export const VARBIND_FIELDS = 2;
export const F_OID_START = 0;
export const F_OID_END = 1;

/** Varbind k's type (its value's tag). */
export function typeAt(list: VarbindList, k: number): number {
  return list.buf[list.layout[k * VARBIND_FIELDS + F_OID_END]!]!;
}

/** Where a value's content starts, from its tag's position (lengths already checked by decodeMessage). */
function valueStart(buf: Buffer, tagAt: number): number {
  const length = buf[tagAt + 1]!;
  return length & 0x80 ? tagAt + 2 + (length & 0x7f) : tagAt + 2;
}

/** Where a value's content ends, from its tag's position. */
function valueEnd(buf: Buffer, tagAt: number): number {
  let length = buf[tagAt + 1]!;
  let at = tagAt + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + buf[at++]!;
  }
  return at + length;
}

/** Why a packet could not be decoded (the packet is then ignored, like net-snmp ignores it). */
export class MalformedMessageError extends Error {
  constructor(message: string, at: number) {
    super(`${message} at byte ${at}`);
    this.name = "MalformedMessageError";
  }
}

/** A big-endian two's-complement integer's content octets (non-empty) as a number. */
function readSigned(buf: Buffer, start: number, end: number): number {
  let value = (buf[start]! << 24) >> 24;
  for (let i = start + 1; i < end; i++) value = value * 256 + buf[i]!;
  return value;
}

/** Cursor over one received packet: every read checks its bounds against the enclosing element. */
class Cursor {
  at = 0;
  /** Content end of the element just read by `header`. */
  end = 0;
  constructor(readonly buf: Buffer) {}

  fail(what: string): never {
    throw new MalformedMessageError(what, this.at);
  }

  /** Reads a tag and length inside [at, limit); leaves `at` on the content, `end` after it. Returns the tag. */
  header(limit: number): number {
    const buf = this.buf;
    if (this.at + 2 > limit) this.fail("truncated element");
    const tag = buf[this.at]!;
    let length = buf[this.at + 1]!;
    let start = this.at + 2;
    if (length & 0x80) {
      const octets = length & 0x7f;
      if (octets === 0 || octets > 4) this.fail("unsupported length");
      if (start + octets > limit) this.fail("truncated length");
      length = 0;
      for (let i = 0; i < octets; i++) length = length * 256 + buf[start + i]!;
      start += octets;
    }
    if (start + length > limit) this.fail("element longer than its container");
    this.at = start;
    this.end = start + length;
    return tag;
  }

  expect(tag: number, limit: number, what: string): number {
    if (this.header(limit) !== tag) this.fail(`expected ${what}`);
    return this.end;
  }

  /** A signed INTEGER's content (at..end) as net-snmp reads it (any length that stays a safe integer). */
  signed(): number {
    if (this.end === this.at) this.fail("zero-length integer");
    const value = readSigned(this.buf, this.at, this.end);
    if (!Number.isSafeInteger(value)) this.fail("integer too large");
    this.at = this.end;
    return value;
  }

  int(limit: number, what: string): number {
    this.expect(T_INTEGER, limit, what);
    return this.signed();
  }
}

/**
 * Decodes a v1/v2c message (version, community, PDU header) and checks its varbind list without
 * building it. Throws MalformedMessageError for anything that is not a well-formed message — every
 * value included, so a reader of the list (valueAt) never meets a malformed one; never anything else.
 */
export function decodeMessage(buf: Buffer, community: Buffer): Response {
  const c = new Cursor(buf);
  const messageEnd = c.expect(T_SEQUENCE, buf.length, "a message SEQUENCE");
  const version = c.int(messageEnd, "the version");
  const communityEnd = c.expect(T_OCTET_STRING, messageEnd, "the community");
  const communityMatches =
    communityEnd - c.at === community.length &&
    buf.compare(community, 0, community.length, c.at, communityEnd) === 0;
  c.at = communityEnd;
  const pduType = c.header(messageEnd);
  if ((pduType & 0xe0) !== 0xa0) c.fail("expected a PDU");
  const pduEnd = c.end;
  const id = c.int(pduEnd, "the request-id");
  const errorStatus = c.int(pduEnd, "the error-status");
  const errorIndex = c.int(pduEnd, "the error-index");
  const listEnd = c.expect(T_SEQUENCE, pduEnd, "the varbind list");
  const count = countElements(c, listEnd);
  const layout = new Int32Array(count * VARBIND_FIELDS);
  let f = 0;
  while (c.at < listEnd) {
    const varbindEnd = c.expect(T_SEQUENCE, listEnd, "a varbind");
    c.expect(T_OID, varbindEnd, "a varbind's OID");
    if (c.end === c.at) c.fail("empty OID");
    layout[f + F_OID_START] = c.at;
    layout[f + F_OID_END] = c.end;
    c.at = c.end;
    const type = c.header(varbindEnd);
    checkValue(c, type);
    c.at = c.end;
    if (c.at !== varbindEnd) c.fail("extra bytes in a varbind");
    f += VARBIND_FIELDS;
  }
  return {
    version,
    communityMatches,
    pduType,
    id,
    errorStatus,
    errorIndex,
    varbinds: { buf, count, layout },
  };
}

/** decodeMessage with the varbinds as net-snmp hands them over: `{oid, type, value}` objects. */
export function decodeResponse(
  buf: Buffer,
  community: Buffer,
): Omit<Response, "varbinds"> & { varbinds: snmp.Varbind[] } {
  const message = decodeMessage(buf, community);
  return { ...message, varbinds: varbindObjects(message.varbinds) };
}

/** Every varbind of a list as net-snmp's `{oid, type, value}`. */
export function varbindObjects(list: VarbindList): snmp.Varbind[] {
  // Sized up front: a 400-varbind list grown by push was a fifth of a poll's garbage.
  const varbinds: snmp.Varbind[] = new Array(list.count);
  for (let k = 0; k < list.count; k++) varbinds[k] = varbindAt(list, k);
  return varbinds;
}

export function varbindAt(list: VarbindList, k: number): snmp.Varbind {
  return { oid: oidAt(list, k), type: typeAt(list, k), value: valueAt(list, k) };
}

/** Varbind k's OID as a dotted string. */
export function oidAt(list: VarbindList, k: number): string {
  const f = k * VARBIND_FIELDS;
  return decodeOid(list.buf, list.layout[f + F_OID_START]!, list.layout[f + F_OID_END]!);
}

/**
 * Varbind k's value as a table cell: valueAt's, except that a Counter64 is read into a bigint
 * (values.ts counter64() takes either) instead of a Buffer of its octets — one object fewer per
 * counter, two per port on a switch poll. One that is not a 0–2^64-1 integer stays a Buffer.
 */
export function cellAt(list: VarbindList, k: number): unknown {
  const buf = list.buf;
  const tagAt = list.layout[k * VARBIND_FIELDS + F_OID_END]!;
  if (buf[tagAt] !== T_COUNTER64) return valueAt(list, k);
  return counter64Octets(buf, valueStart(buf, tagAt), valueEnd(buf, tagAt)) ?? valueAt(list, k);
}

/** Varbind k's value in net-snmp's representation of its type (checked by decodeMessage). */
export function valueAt(list: VarbindList, k: number): unknown {
  const buf = list.buf;
  const tagAt = list.layout[k * VARBIND_FIELDS + F_OID_END]!;
  const at = valueStart(buf, tagAt);
  const end = valueEnd(buf, tagAt);
  switch (buf[tagAt]) {
    case T_INTEGER:
      return readSigned(buf, at, end);
    case T_OCTET_STRING:
    case T_OPAQUE:
    case T_COUNTER64:
      return at === end ? EMPTY : buf.subarray(at, end);
    case T_COUNTER:
    case T_GAUGE:
    case T_TIME_TICKS:
      // net-snmp reads these as a signed integer and keeps its low 32 bits, unsigned.
      return readSigned(buf, at, end) >>> 0;
    case T_OID:
      return decodeOid(buf, at, end);
    case T_IP_ADDRESS:
      return `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}`;
    case T_BOOLEAN:
      return readSigned(buf, at, end) !== 0;
    case T_BIT_STRING:
      return bitString(buf, at, end);
    default:
      // NULL, noSuchObject, noSuchInstance, endOfMibView (checked: nothing else gets here).
      return null;
  }
}

/** Elements from c.at to `end` (each header checked); the cursor is left where it was. */
function countElements(c: Cursor, end: number): number {
  const from = c.at;
  let count = 0;
  while (c.at < end) {
    c.header(end);
    c.at = c.end;
    count++;
  }
  c.at = from;
  return count;
}

/** Zero-length OCTET STRINGs all read as this one buffer (nothing can be written into it). */
const EMPTY = Buffer.alloc(0);

/** Checks a value's content (c.at..c.end) against its type, as reading it (valueAt) would need. */
function checkValue(c: Cursor, type: number): void {
  const { at, end } = c;
  switch (type) {
    case T_INTEGER:
    case T_COUNTER:
    case T_GAUGE:
    case T_TIME_TICKS:
    case T_BOOLEAN:
      c.signed();
      c.at = at;
      return;
    case T_OCTET_STRING:
    case T_OPAQUE:
    case T_COUNTER64:
    case T_BIT_STRING:
      return;
    case T_NULL:
    case T_NO_SUCH_OBJECT:
    case T_NO_SUCH_INSTANCE:
    case T_END_OF_MIB_VIEW:
      if (end !== at) c.fail("a null value with content");
      return;
    case T_OID:
      if (end === at) c.fail("empty OID value");
      return;
    case T_IP_ADDRESS:
      if (end - at !== 4) c.fail("an IpAddress that is not 4 octets");
      return;
    default:
      c.fail(`unknown value type 0x${type.toString(16)}`);
  }
}

/** asn1-ber's BIT STRING reading: the bits as a "0101…" string, unused trailing bits dropped. */
function bitString(buf: Buffer, at: number, end: number): string {
  if (at === end) return "";
  const unused = buf[at]!;
  let bits = "";
  for (let i = at + 1; i < end; i++) bits += buf[i]!.toString(2).padStart(8, "0");
  return bits.slice(0, bits.length - unused);
}
