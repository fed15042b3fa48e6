/**
 * What a reply is matched to its request on, read from an SNMP message without decoding it:
 * request-id and community for v1/v2c (RFC 3416 §3: the agent copies both), msgID for v3 (RFC 3412
 * §6: the response carries the request's msgID in clear, even when the PDU is encrypted).
 * Undefined for anything not shaped like an SNMP message.
 */
export interface MessageKey {
  id: number;
  /** v1/v2c only: the community's bytes as latin1 (a plain string to compare). */
  community?: string;
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const OCTET_STRING = 0x04;
const FIRST_PDU_TAG = 0xa0;
const LAST_PDU_TAG = 0xa8;
/** readTlv's tag for "any PDU tag". */
const ANY_PDU = -1;

/**
 * The element read last by `readTlv`: its content octets are [tlvStart, tlvEnd). Module state rather
 * than a result object: this runs for every datagram sent and received, and allocates nothing.
 */
let tlvStart = 0;
let tlvEnd = 0;
let intValue = 0;

function readTlv(buf: Uint8Array, at: number, tag: number): boolean {
  if (at + 2 > buf.length) return false;
  const t = buf[at]!;
  if (tag === ANY_PDU ? t < FIRST_PDU_TAG || t > LAST_PDU_TAG : t !== tag) return false;
  let length = buf[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4 || start + octets > buf.length) return false;
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + buf[start + i]!;
    start += octets;
  }
  const end = start + length;
  if (end > buf.length) return false;
  tlvStart = start;
  tlvEnd = end;
  return true;
}

/** An INTEGER of at most 5 content octets into `intValue`; its element in tlvStart/tlvEnd. */
function readInteger(buf: Uint8Array, at: number): boolean {
  if (!readTlv(buf, at, INTEGER) || tlvEnd === tlvStart || tlvEnd - tlvStart > 5) return false;
  let value = 0;
  for (let i = tlvStart; i < tlvEnd; i++) value = value * 256 + buf[i]!;
  // Two's complement: a set top bit makes it negative.
  if (buf[tlvStart]! & 0x80) value -= 256 ** (tlvEnd - tlvStart);
  intValue = value;
  return true;
}

export function snmpMessageKey(buf: Uint8Array): MessageKey | undefined {
  if (!readTlv(buf, 0, SEQUENCE) || !readInteger(buf, tlvStart)) return undefined;
  if (intValue === 3) {
    if (!readTlv(buf, tlvEnd, SEQUENCE) || !readInteger(buf, tlvStart)) return undefined;
    return { id: intValue };
  }
  if (!readTlv(buf, tlvEnd, OCTET_STRING)) return undefined;
  const communityStart = tlvStart;
  const communityEnd = tlvEnd;
  if (!readTlv(buf, communityEnd, ANY_PDU) || !readInteger(buf, tlvStart)) return undefined;
  return { id: intValue, community: latin1(buf, communityStart, communityEnd) };
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  let out = "";
  for (let i = start; i < end; i++) out += String.fromCharCode(buf[i]!);
  return out;
}
