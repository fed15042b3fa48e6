import { describe, expect, it } from "vitest";
import {
  cellAt,
  decodeMessage,
  decodeResponse,
  encodeOid,
  encodeRequest,
  encodeVarbindList,
  MalformedMessageError,
  OidFormatError,
  PDU_GET_BULK,
  valueAt,
} from "../../src/management/collectors/snmp/v2c-codec.js";
import { counter64 } from "../../src/management/collectors/snmp/values.js";
import { response, tlv } from "../support/ber.js";
import { garbageFor } from "../support/hostile-udp.js";
import { seededRandom } from "../support/seeded-random.js";

const COMMUNITY = Buffer.from("public");

const varbind = (oid: string, value: Buffer) => tlv(0x30, Buffer.concat([tlv(0x06, encodeOid(oid)), value]));

/** A reply with one varbind of every type, as a real agent sends it. */
const FULL = response([
  varbind("1.3.6.1.2.1.1.1.0", tlv(0x04, Buffer.from("switch"))),
  varbind("1.3.6.1.2.1.1.2.0", tlv(0x06, encodeOid("1.3.6.1.4.1.9.1.1208"))),
  varbind("1.3.6.1.2.1.1.3.0", tlv(0x43, Buffer.from([0x00, 0xff, 0xff, 0xff, 0xff]))),
  varbind("1.3.6.1.2.1.2.2.1.5.1", tlv(0x42, Buffer.from([0x3b, 0x9a, 0xca, 0x00]))),
  varbind("1.3.6.1.2.1.2.2.1.10.1", tlv(0x41, Buffer.from([0x01]))),
  varbind("1.3.6.1.2.1.4.20.1.1.10.0.0.1", tlv(0x40, Buffer.from([10, 0, 0, 1]))),
  varbind("1.3.6.1.2.1.31.1.1.1.6.1", tlv(0x46, Buffer.from([0x00, 0xff, 0, 0, 0, 0, 0, 0, 1]))),
  varbind("1.3.6.1.2.1.2.2.1.8.1", tlv(0x02, Buffer.from([0xfe]))),
  varbind("1.3.6.1.2.1.2.2.1.8.2", Buffer.from([0x80, 0x00])),
  varbind("1.3.6.1.2.1.2.2.1.8.3", Buffer.from([0x81, 0x00])),
  varbind("1.3.6.1.2.1.2.2.1.8.4", Buffer.from([0x82, 0x00])),
  varbind("1.3.6.1.2.1.2.2.1.8.5", Buffer.from([0x05, 0x00])),
  varbind("1.3.6.1.2.1.2.2.1.8.6", tlv(0x44, Buffer.from([0x9f, 0x78]))),
]);

describe("SNMPv2c codec", () => {
  it("decodes a well-formed reply: header, every value type", () => {
    const r = decodeResponse(FULL, COMMUNITY);
    expect(r).toMatchObject({ version: 1, communityMatches: true, pduType: 0xa2, id: 4242, errorStatus: 0 });
    expect(r.varbinds.map((v) => v.value)).toEqual([
      Buffer.from("switch"),
      "1.3.6.1.4.1.9.1.1208",
      4294967295,
      1_000_000_000,
      1,
      "10.0.0.1",
      Buffer.from([0x00, 0xff, 0, 0, 0, 0, 0, 0, 1]),
      -2,
      null,
      null,
      null,
      null,
      Buffer.from([0x9f, 0x78]),
    ]);
    expect(r.varbinds.map((v) => v.type)).toEqual([
      4, 6, 0x43, 0x42, 0x41, 0x40, 0x46, 2, 0x80, 0x81, 0x82, 5, 0x44,
    ]);
  });

  it("tells a reply for another community apart without decoding it differently", () => {
    const r = decodeResponse(response([], { community: Buffer.from("publi") }), COMMUNITY);
    expect(r.communityMatches).toBe(false);
    expect(
      decodeResponse(response([], { community: Buffer.from("publicc") }), COMMUNITY).communityMatches,
    ).toBe(false);
  });

  it("every truncation of a reply is rejected as malformed, never anything else", () => {
    for (let length = 0; length < FULL.length; length++) {
      const cut = FULL.subarray(0, length);
      expect(() => decodeResponse(cut, COMMUNITY), `cut at ${length}`).toThrow(MalformedMessageError);
    }
  });

  it("lengths that overrun, indefinite or 5-octet lengths, unknown types, oversized integers: malformed", () => {
    const bad = [
      Buffer.concat([Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff]), FULL.subarray(2)]),
      Buffer.from([0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00]),
      Buffer.from([0x30, 0x85, 0x00, 0x00, 0x00, 0x00, 0x03, 0x02, 0x01, 0x01]),
      response([varbind("1.3.6.1", Buffer.from([0x9f, 0x01, 0x01]))]),
      response([varbind("1.3.6.1", tlv(0x02, Buffer.alloc(9, 0x7f)))]),
      response([varbind("1.3.6.1", tlv(0x02, Buffer.alloc(0)))]),
      response([varbind("1.3.6.1", tlv(0x40, Buffer.from([10, 0, 1])))]),
      response([varbind("1.3.6.1", Buffer.from([0x05, 0x01, 0x00]))]),
      response([tlv(0x30, Buffer.concat([tlv(0x06, Buffer.alloc(0)), Buffer.from([0x05, 0x00])]))]),
      // A varbind whose SEQUENCE claims more than the list holds.
      response([Buffer.from([0x30, 0x7f, 0x06, 0x01, 0x2b])]),
      Buffer.concat([FULL, Buffer.from([0x00])]).fill(0x31, 0, 1),
      ...garbageFor(FULL),
    ];
    for (const packet of bad) {
      expect(() => decodeResponse(packet, COMMUNITY), packet.toString("hex")).toThrow(MalformedMessageError);
    }
  });

  it("random bytes and random corruptions of a real reply never throw anything but MalformedMessageError", () => {
    const random = seededRandom(18);
    for (let i = 0; i < 3000; i++) {
      const packet =
        i % 2 === 0
          ? Buffer.from(Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256)))
          : Buffer.from(FULL);
      if (i % 2 === 1)
        for (let k = 0; k < 3; k++) packet[Math.floor(random() * packet.length)] = Math.floor(random() * 256);
      try {
        const r = decodeResponse(packet, COMMUNITY);
        expect(Array.isArray(r.varbinds)).toBe(true);
      } catch (err) {
        expect(err).toBeInstanceOf(MalformedMessageError);
      }
    }
  });

  it("encodes requests with minimal integers and rejects OIDs it cannot encode", () => {
    const request = encodeRequest(
      COMMUNITY,
      PDU_GET_BULK,
      -1,
      25,
      encodeVarbindList(["1.3.6.1.2.1.2.2.1.2"]),
    );
    // SEQUENCE { version 1, "public", GetBulk { id -1, non-repeaters 0, max-repetitions 25,
    // { { 1.3.6.1.2.1.2.2.1.2, NULL } } } }, every length and integer in its shortest form.
    expect(request.toString("hex")).toBe(
      "302702010104067075626c6963a51a0201ff020100020119300f300d06092b06010201020201020500",
    );
    for (const oid of ["", "1", "1.", ".1.3", "1..3", "1.3.a", "3.1", "1.40", "1.3.4294967296"]) {
      expect(() => encodeOid(oid), oid).toThrow(OidFormatError);
    }
    expect(encodeOid("2.999.3").toString("hex")).toBe("883703");
    expect(encodeOid("1.3.6.1.4.1.4294967295").toString("hex")).toBe("2b060104018fffffff7f");
  });

  it("table cells: a Counter64 is read into the bigint counter64() makes of its octets, the rest as valueAt", () => {
    const counters = [
      "00",
      "0100",
      "1fffffffffffff",
      "20000000000001",
      "00ffffffffffffffff",
      "80",
      "01000000000000000000",
    ];
    const packet = response([
      ...counters.map((hex, i) =>
        varbind(`1.3.6.1.2.1.31.1.1.1.6.${i + 1}`, tlv(0x46, Buffer.from(hex, "hex"))),
      ),
      varbind("1.3.6.1.2.1.31.1.1.1.1.1", tlv(0x04, Buffer.from("Gi1/0/1"))),
    ]);
    const list = decodeMessage(packet, COMMUNITY).varbinds;
    const cells = counters.map((_, k) => cellAt(list, k));
    expect(cells.slice(0, 5)).toEqual([0n, 256n, 2n ** 53n - 1n, 2n ** 53n + 1n, 2n ** 64n - 1n]);
    for (let k = 0; k < counters.length; k++) {
      const cell = cellAt(list, k);
      // Not a counter (negative, 2^72): left as the Buffer, which counter64() rejects as before.
      if (k >= 5) expect(cell).toEqual(valueAt(list, k));
      expect(counter64(cell)).toBe(counter64(valueAt(list, k)));
    }
    expect(cellAt(list, counters.length)).toEqual(Buffer.from("Gi1/0/1"));
  });
});
