import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import {
  berReaderPrototype,
  decodeOid,
  installFastOidReader,
} from "../../src/management/collectors/snmp/fast-oid-reader.js";

const require = createRequire(import.meta.url);
const ber = createRequire(require.resolve("net-snmp"))("asn1-ber").Ber as {
  Reader: new (
    buf: Buffer,
  ) => { readOID(tag?: number): string | null; readSequence(): number | null; offset: number };
  Writer: new () => {
    startSequence(): void;
    endSequence(): void;
    writeOID(oid: string): void;
    buffer: Buffer;
  };
};

function encode(oids: string[]): Buffer {
  const w = new ber.Writer();
  w.startSequence();
  for (const oid of oids) w.writeOID(oid);
  w.endSequence();
  return w.buffer;
}

function readAll(buf: Buffer, count: number): Array<string | null> {
  const r = new ber.Reader(buf);
  r.readSequence();
  return Array.from({ length: count }, () => r.readOID());
}

describe("fast OID reader", () => {
  const oids = [
    "1.3.6.1.2.1.1.1.0",
    "1.3.6.1.2.1.31.1.1.1.6.1001",
    "1.3.6.1.4.1.674.10892.5.5.1.20.130.4.1.55.1",
    "1.3.6.1.4.1.789.1.6.10.1.2.1.1.1.3",
    "0.0",
    "2.5.4.3",
    "1.3.6.1.4.1.4294967295.127.128.16383.16384.2097151.2097152.268435455.268435456",
  ];

  it("decodes exactly like asn1-ber's own readOID, before and after installation", () => {
    const proto = berReaderPrototype() as unknown as { readOID: { original?: unknown } };
    const original = (proto.readOID.original ?? proto.readOID) as (
      this: unknown,
      tag?: number,
    ) => string | null;
    const buf = encode(oids);
    const r = new ber.Reader(buf);
    r.readSequence();
    const expected = oids.map(() => original.call(r));
    expect(expected).toEqual(oids);

    installFastOidReader();
    installFastOidReader(); // idempotent
    expect(readAll(buf, oids.length)).toEqual(expected);
    expect((berReaderPrototype().readOID as { original?: unknown }).original).toBe(original);
  });

  it("matches the library on random OIDs, including large sub-identifiers", () => {
    installFastOidReader();
    const proto = berReaderPrototype().readOID as unknown as { original: (this: unknown) => string | null };
    let seed = 42;
    const rand = (max: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % max;
    };
    for (let n = 0; n < 500; n++) {
      const oid = [
        "1",
        "3",
        ...Array.from({ length: 2 + rand(14) }, () => String(rand(2) ? rand(200) : rand(4294967295))),
      ];
      const buf = encode([oid.join(".")]);
      const slow = new ber.Reader(buf);
      slow.readSequence();
      const fast = new ber.Reader(buf);
      fast.readSequence();
      expect(fast.readOID()).toBe(proto.original.call(slow));
    }
  });

  it("keeps the library's behaviour for a wrong tag and truncated input", () => {
    installFastOidReader();
    const wrongTag = new ber.Reader(Buffer.from([0x30, 0x03, 0x04, 0x01, 0x41]));
    wrongTag.readSequence();
    expect(() => wrongTag.readOID()).toThrow(/Expected 0x6/);
    const truncated = new ber.Reader(Buffer.from([0x30, 0x04, 0x06, 0x05, 0x2b, 0x06]));
    truncated.readSequence();
    expect(truncated.readOID()).toBeNull();
  });

  it("decodeOid reads a slice in place", () => {
    expect(decodeOid(Buffer.from([0xff, 0x2b, 0x06, 0x01, 0x82, 0x37, 0xff]), 1, 6)).toBe("1.3.6.1.311");
  });
});
