import { EventEmitter } from "node:events";
import snmp from "net-snmp";
import { describe, expect, it } from "vitest";
import { snmpMessageKey } from "../../src/management/collectors/snmp/message-key.js";
import { garbageFor } from "../support/hostile-udp.js";

type Session = snmp.Session & { reqs: Record<string, unknown>; cancelRequests(error: Error): void };

/** Opens a net-snmp session whose datagrams are captured (through its dgramModule option), not sent. */
function capturing(open: (dgramModule: { createSocket(): unknown }) => snmp.Session) {
  const sent: Buffer[] = [];
  const socket = Object.assign(new EventEmitter(), {
    send(
      buffer: Buffer,
      offset: number,
      length: number,
      _port: number,
      _to: string,
      done: (error: Error | null, bytes: number) => void,
    ) {
      sent.push(Buffer.from(buffer.subarray(offset, offset + length)));
      done(null, length); // "sent": the session now holds the request under its id
    },
    ref() {},
    unref() {},
    close() {},
  });
  const session = open({ createSocket: () => socket }) as Session;
  return { sent, session, done: () => session.cancelRequests(new Error("test over")) };
}

const v2c = () =>
  capturing((dgramModule) =>
    snmp.createSession("127.0.0.1", "pub\u00e9", { version: snmp.Version2c, dgramModule, timeout: 60_000 }),
  );

describe("snmpMessageKey", () => {
  it("reads the request-id and community of the v2c requests net-snmp sends", () => {
    const { sent, session, done } = v2c();
    session.get(["1.3.6.1.2.1.1.1.0"], () => {});
    session.getBulk(["1.3.6.1.2.1.2.2.1.2"], 0, 25, () => {});
    const keys = sent.map((b) => snmpMessageKey(b));
    // The ids the session itself is waiting on, in the community's bytes as latin1.
    expect(keys.map((k) => String(k?.id)).sort()).toEqual(Object.keys(session.reqs).sort());
    expect(keys.map((k) => k?.community)).toEqual(["pub\u00c3\u00a9", "pub\u00c3\u00a9"]);
    done();
  });

  it("reads the msgID of a v3 message, which is in clear even when the PDU is encrypted", () => {
    // version 3, msgGlobalData { msgID 1, … } (the v3-shaped datagram of the hostile relay)
    const v3 = garbageFor(Buffer.alloc(0))[5]!;
    expect(snmpMessageKey(v3)).toEqual({ id: 1 });
    const { sent, session, done } = capturing((dgramModule) =>
      snmp.createV3Session(
        "127.0.0.1",
        {
          name: "u",
          level: snmp.SecurityLevel.authPriv,
          authProtocol: snmp.AuthProtocols.sha,
          authKey: "authpass1",
          privProtocol: snmp.PrivProtocols.aes,
          privKey: "privpass1",
        },
        { version: snmp.Version3, dgramModule, timeout: 60_000 },
      ),
    );
    session.get(["1.3.6.1.2.1.1.1.0"], () => {});
    const key = snmpMessageKey(sent[0]!);
    expect(key?.community).toBeUndefined();
    expect(Number.isInteger(key?.id)).toBe(true);
    done();
  });

  it("gives nothing, and never throws, for what is not a whole SNMP message", () => {
    const { sent, session, done } = v2c();
    session.get(["1.3.6.1.2.1.1.1.0"], () => {});
    done();
    const request = sent[0]!;
    expect(
      garbageFor(request)
        .slice(0, 5)
        .map((g) => snmpMessageKey(g)),
    ).toEqual([undefined, undefined, undefined, undefined, undefined]);
    for (let n = 0; n < request.length; n++) expect(snmpMessageKey(request.subarray(0, n))).toBeUndefined();
    expect(snmpMessageKey(request)).toBeDefined();
  });
});
