import { createSocket, type Socket, type SocketType } from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import snmp from "net-snmp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snmpMessageKey } from "../../src/management/collectors/snmp/message-key.js";
import {
  decodeResponse,
  encodeRequest,
  encodeVarbindList,
  PDU_GET,
  PDU_GET_BULK,
  PDU_GET_NEXT,
  PDU_RESPONSE,
} from "../../src/management/collectors/snmp/v2c-codec.js";
import { LOOPBACK, type SnmpsimAgent, startSnmpsim } from "../support/snmp-agents.js";

/**
 * The v2c codec against net-snmp on the same packets: requests net-snmp sends are compared byte for
 * byte with ours (same request-id), and every reply a real agent (snmpsimd) sends to net-snmp is
 * decoded by ours too and must give exactly the varbinds net-snmp handed over — every value type
 * SNMPv2c carries, exceptions (noSuchObject/noSuchInstance/endOfMibView) included.
 */
const ALL_TYPES = [
  "1.3.6.1.4.1.99999.1.1.0|2|-2147483648",
  "1.3.6.1.4.1.99999.1.2.0|2|2147483647",
  "1.3.6.1.4.1.99999.1.3.0|2|0",
  "1.3.6.1.4.1.99999.1.4.0|4|",
  "1.3.6.1.4.1.99999.1.5.0|4|Grüße, switch",
  "1.3.6.1.4.1.99999.1.6.0|4x|00ff80017f",
  "1.3.6.1.4.1.99999.1.7.0|5|",
  "1.3.6.1.4.1.99999.1.8.0|6|1.3.6.1.4.1.4294967295.0.128.16384",
  "1.3.6.1.4.1.99999.1.9.0|64|10.255.0.1",
  "1.3.6.1.4.1.99999.1.10.0|65|4294967295",
  "1.3.6.1.4.1.99999.1.11.0|65|0",
  "1.3.6.1.4.1.99999.1.12.0|66|2147483648",
  "1.3.6.1.4.1.99999.1.13.0|67|4294967295",
  "1.3.6.1.4.1.99999.1.14.0|68|9f780441ccccc",
  "1.3.6.1.4.1.99999.1.15.0|70|18446744073709551615",
  "1.3.6.1.4.1.99999.1.16.0|70|9007199254740993",
  "1.3.6.1.4.1.99999.1.17.0|70|0",
];

describe("SNMPv2c codec vs net-snmp, on real agent packets", () => {
  let sim: SnmpsimAgent;
  let dir: string;
  let socket: Socket;
  let session: snmp.Session;
  const sent: Buffer[] = [];
  const received: Buffer[] = [];
  let community = "";

  /** net-snmp's session on a socket that keeps a copy of every packet sent and received. */
  const openSession = (name: string) => {
    community = name;
    session?.close();
    session = snmp.createSession(LOOPBACK, name, {
      port: sim.port,
      version: snmp.Version2c,
      timeout: 5000,
      retries: 0,
      dgramModule: {
        createSocket(type: SocketType) {
          socket = createSocket(type);
          socket.on("message", (buffer: Buffer) => received.push(buffer));
          const send = socket.send.bind(socket) as (...args: unknown[]) => void;
          (socket as unknown as { send: (...args: unknown[]) => void }).send = (...args: unknown[]) => {
            // An unbound socket binds first and calls send again with its own arguments: count once.
            if (Buffer.isBuffer(args[0])) sent.push(Buffer.from(args[0]));
            send(...args);
          };
          return socket;
        },
      },
    });
  };

  type Kind = "get" | "getNext" | "getBulk";
  const viaNetSnmp = (kind: Kind, oids: string[], maxRepetitions = 10) =>
    new Promise<unknown>((resolve, reject) => {
      const done = (error: Error | null, varbinds: unknown) => (error ? reject(error) : resolve(varbinds));
      if (kind === "getBulk") session.getBulk(oids, 0, maxRepetitions, done);
      else session[kind](oids, done);
    });

  /** Asks through net-snmp; checks our encoding of its request and our decoding of the reply. */
  const compare = async (kind: Kind, oids: string[], maxRepetitions = 10) => {
    sent.length = 0;
    received.length = 0;
    const theirs = await viaNetSnmp(kind, oids, maxRepetitions);
    expect(sent).toHaveLength(1);
    expect(received).toHaveLength(1);
    const id = snmpMessageKey(sent[0]!)!.id;
    const type = kind === "get" ? PDU_GET : kind === "getNext" ? PDU_GET_NEXT : PDU_GET_BULK;
    const ours = encodeRequest(
      Buffer.from(community),
      type,
      id,
      kind === "getBulk" ? maxRepetitions : 0,
      encodeVarbindList(oids),
    );
    expect(ours.toString("hex")).toBe(sent[0]!.toString("hex"));

    const reply = decodeResponse(received[0]!, Buffer.from(community));
    expect(reply).toMatchObject({ version: 1, communityMatches: true, pduType: PDU_RESPONSE, id });
    expect(reply.errorStatus).toBe(0);
    if (kind !== "getBulk") {
      expect(reply.varbinds).toEqual(theirs);
      return reply.varbinds;
    }
    const lists: unknown[][] = oids.map(() => []);
    for (const [i, vb] of reply.varbinds.entries()) lists[i % oids.length]!.push(vb);
    expect(lists.filter((l) => l.length > 0)).toEqual(theirs);
    return reply.varbinds;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "opsbot-v2c-codec-"));
    const allTypes = join(dir, "alltypes.snmprec");
    writeFileSync(allTypes, `${ALL_TYPES.join("\n")}\n`);
    sim = await startSnmpsim({ fixtures: ["switch48", "idrac"], extraFiles: { alltypes: allTypes } });
  }, 60_000);

  afterAll(async () => {
    session?.close();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("every SNMPv2c value type decodes to net-snmp's value", async () => {
    openSession("alltypes");
    const varbinds = await compare("getBulk", ["1.3.6.1.4.1.99999"], 30);
    const types = new Set(varbinds.map((v) => v.type));
    for (const t of [2, 4, 5, 6, 0x40, 0x41, 0x42, 0x43, 0x44, 0x46, 0x82])
      expect(types, `type ${t}`).toContain(t);
    // Spot checks that could not pass by both sides agreeing on something wrong.
    const at = (n: number) => varbinds.find((v) => v.oid === `1.3.6.1.4.1.99999.1.${n}.0`)?.value;
    expect(at(1)).toBe(-2147483648);
    expect(at(10)).toBe(4294967295);
    expect(at(8)).toBe("1.3.6.1.4.1.4294967295.0.128.16384");
    expect(at(9)).toBe("10.255.0.1");
    expect(Buffer.from(at(15) as Buffer).toString("hex")).toBe("00ffffffffffffffff");
    expect((at(5) as Buffer).toString("utf8")).toBe("Grüße, switch");
  });

  it("Get with missing objects and instances, and GetNext past the end", async () => {
    openSession("alltypes");
    const got = await compare("get", [
      "1.3.6.1.4.1.99999.1.2.0",
      "1.3.6.1.4.1.99999.1.2.1",
      "1.3.6.1.4.1.99998.1.0",
      "1.3.6.1.4.1.99999.1.15.0",
    ]);
    expect(got.map((v) => v.type)).toEqual([2, expect.any(Number), expect.any(Number), 0x46]);
    expect(got[1]!.type).toBeGreaterThanOrEqual(0x80);
    const next = await compare("getNext", ["1.3.6.1.4.1.99999.1.17.0", "1.3.6.1.4.1.99999.1.3"]);
    expect(next[0]!.type).toBe(0x82);
  });

  it("a 48-port switch's ifTable/ifXTable GetBulk and an iDRAC's tables decode alike", async () => {
    openSession("switch48");
    const columns = [2, 3, 5, 7, 8, 9, 10, 13, 14, 16].map((c) => `1.3.6.1.2.1.2.2.1.${c}`);
    const xColumns = [1, 6, 10, 15, 18].map((c) => `1.3.6.1.2.1.31.1.1.1.${c}`);
    const bulk = await compare("getBulk", [...columns, ...xColumns], 25);
    expect(bulk.length).toBeGreaterThan(200); // snmpsimd sends up to 256
    await compare("get", [
      "1.3.6.1.2.1.1.1.0",
      "1.3.6.1.2.1.1.2.0",
      "1.3.6.1.2.1.1.3.0",
      "1.3.6.1.2.1.2.1.0",
    ]);
    openSession("idrac");
    await compare("getBulk", ["1.3.6.1.4.1.674", "1.3.6.1.2.1.47.1.1.1.1.2"], 40);
  });
});
