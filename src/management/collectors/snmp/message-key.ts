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

interface Tlv {
  /** Offset of the content octets. */
  start: number;
  end: number;
}

function readTlv(buf: Uint8Array, at: number, tag: number | ((t: number) => boolean)): Tlv | undefined {
  if (at + 2 > buf.length) return undefined;
  const t = buf[at]!;
  if (typeof tag === "number" ? t !== tag : !tag(t)) return undefined;
  let length = buf[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4 || start + octets > buf.length) return undefined;
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + buf[start + i]!;
    start += octets;
  }
  const end = start + length;
  return end > buf.length ? undefined : { start, end };
}

function readInteger(buf: Uint8Array, at: number): (Tlv & { value: number }) | undefined {
  const tlv = readTlv(buf, at, INTEGER);
  if (!tlv || tlv.end === tlv.start || tlv.end - tlv.start > 5) return undefined;
  let value = 0;
  for (let i = tlv.start; i < tlv.end; i++) value = value * 256 + buf[i]!;
  // Two's complement: a set top bit makes it negative.
  if (buf[tlv.start]! & 0x80) value -= 256 ** (tlv.end - tlv.start);
  return { ...tlv, value };
}

export function snmpMessageKey(buf: Uint8Array): MessageKey | undefined {
  const message = readTlv(buf, 0, SEQUENCE);
  if (!message) return undefined;
  const version = readInteger(buf, message.start);
  if (!version) return undefined;
  if (version.value === 3) {
    const globalData = readTlv(buf, version.end, SEQUENCE);
    const msgId = globalData && readInteger(buf, globalData.start);
    return msgId ? { id: msgId.value } : undefined;
  }
  const community = readTlv(buf, version.end, OCTET_STRING);
  if (!community) return undefined;
  const pdu = readTlv(buf, community.end, (t) => t >= FIRST_PDU_TAG && t <= LAST_PDU_TAG);
  const requestId = pdu && readInteger(buf, pdu.start);
  if (!requestId) return undefined;
  return { id: requestId.value, community: latin1(buf, community.start, community.end) };
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  let out = "";
  for (let i = start; i < end; i++) out += String.fromCharCode(buf[i]!);
  return out;
}
