import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { varbindLists } from "../../src/management/collectors/snmp/bulk-reply.js";
import { SnmpRequestError } from "../../src/management/collectors/snmp/snmp-errors.js";
import { decodeResponse, encodeOid } from "../../src/management/collectors/snmp/v2c-codec.js";
import { V2cSession } from "../../src/management/collectors/snmp/v2c-session.js";
import { int, tlv } from "../support/ber.js";
import { LOOPBACK } from "../support/snmp-agents.js";

/**
 * V2cSession's request semantics against a scripted responder on a real loopback socket (no agent
 * can be told to answer with the wrong community or an error-status on demand): what it ignores,
 * what fails a request, and that a retry resends the same request.
 */
function reply(request: Buffer, options: { community?: string; status?: number; pdu?: number } = {}): Buffer {
  // The request decodes with the same reader: its id is what the reply must carry.
  const { id } = decodeResponse(request, Buffer.from("c"));
  const vb = tlv(
    0x30,
    Buffer.concat([tlv(0x06, encodeOid("1.3.6.1.2.1.1.5.0")), tlv(0x04, Buffer.from("sw1"))]),
  );
  const pdu = tlv(
    options.pdu ?? 0xa2,
    Buffer.concat([int(id), int(options.status ?? 0), int(options.status ? 1 : 0), tlv(0x30, vb)]),
  );
  return tlv(0x30, Buffer.concat([int(1), tlv(0x04, Buffer.from(options.community ?? "c")), pdu]));
}

describe("V2cSession", () => {
  let agent: Socket | undefined;
  let session: V2cSession | undefined;
  const ignored: string[] = [];

  afterEach(async () => {
    session?.close();
    await new Promise<void>((resolve) => (agent ? agent.close(() => resolve()) : resolve()));
    agent = undefined;
    ignored.length = 0;
  });

  /** A responder running `script` for each request it receives (the n-th, from 0). */
  async function start(
    script: (request: Buffer, n: number, answer: (b: Buffer) => void) => void,
    retries = 0,
  ) {
    const requests: Buffer[] = [];
    agent = createSocket("udp4");
    agent.on("message", (request: Buffer, from: RemoteInfo) => {
      requests.push(request);
      script(request, requests.length - 1, (b) => agent!.send(b, from.port, from.address));
    });
    await new Promise<void>((resolve) => agent!.bind(0, LOOPBACK, () => resolve()));
    session = new V2cSession({
      host: LOOPBACK,
      port: agent.address().port,
      community: "c",
      ctx: { agent: "sw1", timeoutMs: 300, retries },
      onIgnored: (reason) => ignored.push(reason),
    });
    return requests;
  }

  const get = () =>
    new Promise<unknown>((resolve, reject) =>
      session!.get(["1.3.6.1.2.1.1.5.0"], (error, varbinds) => (error ? reject(error) : resolve(varbinds))),
    );

  it("ignores a reply with the request's id but another community, a non-response PDU and garbage; takes the real one", async () => {
    await start((request, _n, answer) => {
      answer(reply(request, { community: "other" }));
      answer(reply(request, { pdu: 0xa0 }));
      answer(Buffer.from([0x30, 0x03, 0x02, 0x01]));
      setTimeout(() => answer(reply(request)), 20);
    });
    const varbinds = (await get()) as Array<{ oid: string; value: Buffer }>;
    expect(varbinds.map((v) => [v.oid, v.value.toString()])).toEqual([["1.3.6.1.2.1.1.5.0", "sw1"]]);
    expect(ignored).toHaveLength(3);
  });

  it("an error-status fails the request as the agent's error", async () => {
    await start((request, _n, answer) => answer(reply(request, { status: 1 })));
    const error = await get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnmpRequestError);
    expect(error).toMatchObject({ kind: "agent", status: 1, message: "sw1 answered tooBig" });
  });

  it("a lost request is resent unchanged (same id) and the late answer is taken", async () => {
    const requests = await start((request, n, answer) => {
      if (n === 1) answer(reply(request));
    }, 2);
    await get();
    expect(requests).toHaveLength(2);
    expect(requests[1]!.equals(requests[0]!)).toBe(true);
  });

  it("no answer at all: a timeout naming the agent and the attempts", async () => {
    const requests = await start(() => {}, 1);
    const error = await get().catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: "timeout",
      message: "no response from sw1 within 300 ms (2 attempts)",
    });
    expect(requests).toHaveLength(2);
  });

  it("GetBulk hands over one list per requested OID; close fails what is in flight", async () => {
    await start((request, n, answer) => {
      if (n > 0) return; // the second request stays unanswered until close
      const { id } = decodeResponse(request, Buffer.from("c"));
      const vbs = [
        "1.3.6.1.2.1.2.2.1.2.1",
        "1.3.6.1.2.1.2.2.1.8.1",
        "1.3.6.1.2.1.2.2.1.2.2",
        "1.3.6.1.2.1.2.2.1.8.2",
        "1.3.6.1.2.1.2.2.1.2.3",
      ];
      const list = vbs.map((oid) => tlv(0x30, Buffer.concat([tlv(0x06, encodeOid(oid)), int(7)])));
      const pdu = tlv(0xa2, Buffer.concat([int(id), int(0), int(0), tlv(0x30, Buffer.concat(list))]));
      answer(tlv(0x30, Buffer.concat([int(1), tlv(0x04, Buffer.from("c")), pdu])));
    });
    const lists = await new Promise<Array<Array<{ oid: string }>>>((resolve, reject) =>
      session!.getBulk(["1.3.6.1.2.1.2.2.1.2", "1.3.6.1.2.1.2.2.1.8"], 3, (e, r) =>
        e ? reject(e) : resolve(varbindLists(r)),
      ),
    );
    expect(lists.map((l) => l.map((v) => v.oid))).toEqual([
      ["1.3.6.1.2.1.2.2.1.2.1", "1.3.6.1.2.1.2.2.1.2.2", "1.3.6.1.2.1.2.2.1.2.3"],
      ["1.3.6.1.2.1.2.2.1.8.1", "1.3.6.1.2.1.2.2.1.8.2"],
    ]);
    const pending = get().catch((e: unknown) => e);
    session!.close();
    expect(await pending).toMatchObject({ kind: "timeout", message: "the SNMP session was closed" });
  });
});
