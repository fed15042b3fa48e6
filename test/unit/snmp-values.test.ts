import { describe, expect, it } from "vitest";
import { toInterface } from "../../src/management/collectors/snmp/collect-interfaces.js";
import { counter64, enumLabel, int, text, unsigned32 } from "../../src/management/collectors/snmp/values.js";
import { compareOids, sortedIndexes } from "../../src/management/collectors/snmp/walk-columns.js";

/** BER content octets of a non-negative integer, as net-snmp hands Counter64 values over. */
function berUnsigned(n: bigint): Buffer {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = Buffer.from(hex, "hex");
  return bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}

describe("counter64", () => {
  it.each([
    0n,
    1n,
    255n,
    256n,
    2n ** 32n - 1n,
    2n ** 32n,
    2n ** 48n - 1n,
    2n ** 52n + 12345n,
    2n ** 53n - 1n, // the last value read through a number
    2n ** 53n,
    2n ** 53n + 1n,
    2n ** 63n,
    2n ** 64n - 1n,
  ])("reads %s exactly from its BER encoding", (n) => {
    expect(counter64(berUnsigned(n))).toBe(n);
  });

  it("reads fixed-width 8-byte encodings (net-snmp's own agent sends those)", () => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(9007199254753337n);
    expect(counter64(b)).toBe(9007199254753337n);
  });

  it("rejects what cannot be a counter", () => {
    expect(counter64(Buffer.from([0x80]))).toBeUndefined(); // negative
    expect(counter64(Buffer.alloc(0))).toBeUndefined();
    expect(counter64(Buffer.from("01000000000000000000", "hex"))).toBeUndefined(); // 2^72
    expect(counter64(null)).toBeUndefined();
    expect(counter64("12")).toBeUndefined();
    expect(counter64(-1)).toBeUndefined();
  });

  it("accepts safe integers (agents that send HC counters as Counter32)", () => {
    expect(counter64(4294967295)).toBe(4294967295n);
  });

  it("takes a counter already read as a bigint, within 0–2^64-1; text shows it in decimal", () => {
    expect(counter64(2n ** 64n - 1n)).toBe(2n ** 64n - 1n);
    expect(counter64(0n)).toBe(0n);
    expect(counter64(2n ** 64n)).toBeUndefined();
    expect(counter64(-1n)).toBeUndefined();
    expect(text(2n ** 53n + 1n)).toBe("9007199254740993");
    expect(int(5n)).toBeUndefined();
  });
});

describe("scalar conversions", () => {
  it("text trims NUL terminators and whitespace, and never throws", () => {
    expect(text(Buffer.from("Gi1/0/1\0\0"))).toBe("Gi1/0/1");
    expect(text(Buffer.from("  uplink  "))).toBe("uplink");
    expect(text(Buffer.from([0xff, 0x41]))).toBe("\ufffdA");
    expect(text(null)).toBe("");
    expect(text(42)).toBe("42");
  });

  it("int and unsigned32", () => {
    expect(int(5)).toBe(5);
    expect(int(null)).toBeUndefined();
    expect(int(Buffer.from("5"))).toBeUndefined();
    expect(unsigned32(-1294967296)).toBe(3_000_000_000);
    expect(unsigned32(12)).toBe(12);
  });

  it("enumLabel keeps the number", () => {
    expect(enumLabel({ 7: "failed" }, 7)).toBe("failed(7)");
    expect(enumLabel({ 7: "failed" }, 99)).toBe("99");
    expect(enumLabel({}, undefined)).toBe("missing");
  });
});

describe("OID ordering", () => {
  it("compares numerically, not as text", () => {
    expect(compareOids("1.3.6.1.2.1.2.2.1.2.10", "1.3.6.1.2.1.2.2.1.2.9")).toBe(1);
    expect(compareOids("1.3.6.1.2", "1.3.6.1.2.1")).toBe(-1);
    expect(compareOids("1.3.6", "1.3.6")).toBe(0);
    const rows = new Map<string, unknown[]>([
      ["10", []],
      ["9", []],
      ["1001", []],
      ["2.1", []],
      ["2", []],
    ]);
    expect(sortedIndexes(rows)).toEqual(["2", "2.1", "9", "10", "1001"]);
  });
});

describe("toInterface", () => {
  // Column order of the interfaces walk.
  const row = (values: Partial<Record<number, unknown>>) => Array.from({ length: 16 }, (_, i) => values[i]);

  it("prefers HC counters and ifHighSpeed, falls back to ifDescr for the name", () => {
    const hc = berUnsigned(2n ** 60n);
    const obs = toInterface(
      7,
      row({ 0: Buffer.from("eth7"), 2: 1, 3: 7, 5: 10, 12: hc, 13: hc, 14: 25000, 1: 4294967295 }),
    );
    expect(obs).toMatchObject({
      ifIndex: 7,
      name: "eth7",
      adminStatus: "up",
      operStatus: "lowerLayerDown",
      inOctets: 2n ** 60n,
      counterBits: 64,
      speedMbps: 25000,
    });
  });

  it("uses 32-bit counters when only one HC counter is present, and ifSpeed without ifHighSpeed", () => {
    const obs = toInterface(1, row({ 5: 123, 8: 456, 12: berUnsigned(5n), 1: 100_000_000, 3: 2, 2: 2 }));
    expect(obs).toMatchObject({ inOctets: 123n, outOctets: 456n, counterBits: 32, speedMbps: 100 });
    expect(obs).toMatchObject({ adminStatus: "down", operStatus: "down" });
  });

  it("reads unknown enumerations as unknown rather than throwing", () => {
    const obs = toInterface(1, row({ 2: 9, 3: 42 }));
    expect(obs.operStatus).toBe("unknown");
    expect(obs.adminStatus).toBe("down");
  });
});
