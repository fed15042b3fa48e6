/** Hand-built BER for SNMP tests: packets no agent can be told to send (exact bytes, odd encodings). */

export function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const header =
    n < 0x80
      ? Buffer.from([tag, n])
      : n < 0x100
        ? Buffer.from([tag, 0x81, n])
        : Buffer.from([tag, 0x82, n >> 8, n & 0xff]);
  return Buffer.concat([header, content]);
}

/** An INTEGER in its shortest two's-complement form. */
export function int(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  let start = 0;
  while (
    start < 3 &&
    ((b[start] === 0 && !(b[start + 1]! & 0x80)) || (b[start] === 0xff && b[start + 1]! & 0x80))
  )
    start++;
  return tlv(0x02, b.subarray(start));
}

/** A v2c Response message around already-encoded varbinds. */
export function response(
  varbinds: Buffer[],
  options: { id?: number; community?: Buffer; status?: number } = {},
): Buffer {
  const pdu = tlv(
    0xa2,
    Buffer.concat([
      int(options.id ?? 4242),
      int(options.status ?? 0),
      int(0),
      tlv(0x30, Buffer.concat(varbinds)),
    ]),
  );
  return tlv(0x30, Buffer.concat([int(1), tlv(0x04, options.community ?? Buffer.from("public")), pdu]));
}
