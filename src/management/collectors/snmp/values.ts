/**
 * Turning varbind values into plain data. net-snmp hands over raw values: OctetString and Counter64
 * as Buffers (Counter64 is the BER integer's content octets, big-endian), integers as numbers,
 * and null for noSuchObject / noSuchInstance / endOfMibView. Everything here is total: a value of
 * the wrong shape reads as "missing", never as an exception.
 */

const TWO_POW_32 = 4_294_967_296;

/**
 * Counter64 → exact bigint. Returns undefined for anything that is not a 0–2^64-1 integer. A bigint
 * is a Counter64 already read (raw-bulk-reply.ts hands table cells over that way).
 */
export function counter64(value: unknown): bigint | undefined {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : undefined;
  }
  if (typeof value === "bigint") return value >= 0n && value <= MAX_COUNTER64 ? value : undefined;
  if (!Buffer.isBuffer(value)) return undefined;
  return counter64Octets(value, 0, value.length);
}

const MAX_COUNTER64 = 2n ** 64n - 1n;

/** A Counter64's content octets buf[start, end) (a BER integer, big-endian) → exact bigint. */
export function counter64Octets(buf: Uint8Array, start: number, end: number): bigint | undefined {
  if (start >= end) return undefined;
  // A BER integer ≥ 2^63 carries a leading 0x00 so it does not read as negative; a high bit on the
  // first octet would mean a negative number, which a counter cannot be.
  if ((buf[start]! & 0x80) !== 0) return undefined;
  while (start < end - 1 && buf[start] === 0) start++;
  const length = end - start;
  if (length > 8) return undefined;
  let high = 0;
  for (let i = start; i < end - 4; i++) high = high * 256 + buf[i]!;
  let low = 0;
  for (let i = Math.max(start, end - 4); i < end; i++) low = low * 256 + buf[i]!;
  // Up to 2^53 the number is exact: one bigint instead of four.
  if (high < 0x200000) return BigInt(high * TWO_POW_32 + low);
  return (BigInt(high) << 32n) | BigInt(low);
}

/** Integer32/Counter32/Gauge32/TimeTicks → number; undefined when missing or not a number. */
export function int(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/**
 * hrStorage sizes are Integer32: agents with large volumes and small allocation units overflow into
 * negatives. Read them back as the unsigned 32-bit value they meant.
 */
export function unsigned32(value: unknown): number | undefined {
  const n = int(value);
  if (n === undefined) return undefined;
  return n < 0 ? n + TWO_POW_32 : n;
}

/**
 * DisplayString → string. Trailing NULs (some agents count the C terminator) and surrounding
 * whitespace are dropped; invalid UTF-8 becomes U+FFFD rather than failing.
 */
export function text(value: unknown): string {
  if (typeof value === "bigint") return String(value);
  if (Buffer.isBuffer(value)) {
    let end = value.length;
    while (end > 0 && value[end - 1] === 0) end--;
    return value.toString("utf8", 0, end).trim();
  }
  if (typeof value === "string") return value.trim();
  if (typeof value === "number") return String(value);
  return "";
}

/** OBJECT IDENTIFIER → dotted string ("" when missing). */
export function oidValue(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** Renders an enumerated value the way MIB tools do, keeping the number: "failed(7)". */
export function enumLabel(names: Readonly<Record<number, string>>, value: number | undefined): string {
  if (value === undefined) return "missing";
  const name = names[value];
  return name === undefined ? String(value) : `${name}(${value})`;
}
