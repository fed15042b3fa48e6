import { describe, expect, it } from "vitest";
import { varbindLists } from "../../src/management/collectors/snmp/bulk-reply.js";
import { decodeOid } from "../../src/management/collectors/snmp/fast-oid-reader.js";
import { rawBulkReply } from "../../src/management/collectors/snmp/raw-bulk-reply.js";
import type { SnmpClient } from "../../src/management/collectors/snmp/snmp-client.js";
import { decodeMessage, encodeOid } from "../../src/management/collectors/snmp/v2c-codec.js";
import { compareOids, walkColumns } from "../../src/management/collectors/snmp/walk-columns.js";
import { int, response, tlv } from "../support/ber.js";

/**
 * Reading GetBulk replies in place decides column and row on the OIDs' bytes; an agent's odd
 * encodings must not change what the walk finds. No agent can be made to send these, so a scripted
 * one answers from hand-encoded OIDs (the client is the seam here; the real-agent comparison is
 * test/integration/snmp-walk-raw-rows.test.ts): the rows read in place must equal the rows read
 * through varbind objects, and both the rows the decoded OIDs say.
 */
const IF_DESCR = "1.3.6.1.2.1.2.2.1.2";
const IF_TYPE = "1.3.6.1.2.1.2.2.1.3";

/** An OID's encoding with `tail` (raw bytes, possibly odd) after the column's own encoding. */
const raw = (column: string, tail: number[]) => Buffer.concat([encodeOid(column), Buffer.from(tail)]);

/** The same columns spelled the odd ways agents get wrong: the walk must read them by their value. */
function entries(column: string, value: (row: string) => Buffer): Buffer[] {
  const prefix = encodeOid(column);
  return [
    raw(column, [1]),
    raw(column, [0x80, 0x02]), // index 2 with a needless leading 0x80 octet
    // The column's last arc with a needless leading octet, then index 3.
    Buffer.concat([prefix.subarray(0, -1), Buffer.from([0x80, prefix.at(-1)!, 3])]),
    raw(column, [4, 0x81]), // index 4, then an unfinished arc (dropped by decoding)
    raw(column, [5, 6, 7, 8, 9, 10, 11]), // a 7-arc index, longer than a numeric key
    raw(column, [0x82, 0x2c]), // index 300
  ].map((oid) =>
    tlv(0x30, Buffer.concat([tlv(0x06, oid), value(decodeOid(oid, 0, oid.length).slice(column.length + 1))])),
  );
}

/** A scripted agent over hand-encoded varbinds: GetBulk answered in decoded-OID order. */
function scriptedClient(varbinds: Buffer[]): SnmpClient {
  const table = varbinds
    .map((vb) => {
      const oidLength = vb[3]!;
      return { oid: decodeOid(vb, 4, 4 + oidLength), vb };
    })
    .sort((a, b) => compareOids(a.oid, b.oid));
  const endOfMib = (oid: string) =>
    tlv(0x30, Buffer.concat([tlv(0x06, encodeOid(oid)), Buffer.from([0x82, 0])]));
  const bulk = (oids: string[], repetitions: number) => {
    const out: Buffer[] = [];
    const at = oids.map((oid) => table.findIndex((e) => compareOids(e.oid, oid) > 0));
    for (let i = 0; i < repetitions; i++) {
      oids.forEach((oid, j) => {
        const k = at[j]! < 0 ? -1 : at[j]! + i;
        out.push(k >= 0 && k < table.length ? table[k]!.vb : endOfMib(oid));
      });
    }
    return rawBulkReply(decodeMessage(response(out), Buffer.from("public")).varbinds, oids.length);
  };
  return {
    agent: "scripted",
    maxRepetitions: 4,
    get: () => Promise.reject(new Error("not scripted")),
    getNext: () => Promise.reject(new Error("not scripted")),
    getBulk: async (oids, repetitions) => varbindLists(bulk(oids, repetitions)),
    getBulkReply: async (oids, repetitions) => bulk(oids, repetitions),
    close: () => undefined,
  };
}

const text = (row: string) => tlv(0x04, Buffer.from(`port ${row}`));
const number = (row: string) => int(Number(row.split(".")[0]) * 10);

describe("GetBulk replies read in place: odd OID encodings", () => {
  it("non-minimal arcs, unfinished arcs, long and multi-byte indexes: the rows their OIDs decode to", async () => {
    const client = scriptedClient([...entries(IF_DESCR, text), ...entries(IF_TYPE, number)]);
    const inPlace = await walkColumns(client, [IF_DESCR, IF_TYPE]);
    const viaObjects = await walkColumns({ ...client, getBulkReply: undefined }, [IF_DESCR, IF_TYPE]);
    expect([...inPlace]).toEqual([...viaObjects]);
    expect(
      [...inPlace].map(([index, row]) => [index, Buffer.from(row[0] as Buffer).toString(), row[1]]),
    ).toEqual([
      ["1", "port 1", 10],
      ["2", "port 2", 20],
      ["3", "port 3", 30],
      ["4", "port 4", 40],
      ["5.6.7.8.9.10.11", "port 5.6.7.8.9.10.11", 50],
      ["300", "port 300", 3000],
    ]);
  });

  it("a column whose OID does not decode back to itself is compared as a string, like objects are", async () => {
    // "2.999.1" encodes its first two arcs as 1079, which decodes as "26.39": the agent's OIDs under
    // it are not under "2.999.1." as strings, whatever their bytes say.
    const column = "2.999.1";
    const client = scriptedClient(entries(column, text));
    const inPlace = await walkColumns(client, [column]);
    expect([...inPlace]).toEqual([...(await walkColumns({ ...client, getBulkReply: undefined }, [column]))]);
    expect(inPlace.size).toBe(0);
  });

  it("an OID that is the column's encoding and an unfinished arc is the column itself, not under it", () => {
    const oid = raw(IF_DESCR, [0x81]);
    const vb = tlv(0x30, Buffer.concat([tlv(0x06, oid), text("x")]));
    const reply = rawBulkReply(decodeMessage(response([vb]), Buffer.from("public")).varbinds, 1);
    const column = { oid: IF_DESCR, prefix: `${IF_DESCR}.`, encoded: encodeOid(IF_DESCR) };
    expect(reply.oid(0, 0)).toBe(IF_DESCR);
    expect(reply.under(0, 0, column)).toBe(false);
    expect(reply.rowKey(0, 0, column)).toBeUndefined();
  });
});
