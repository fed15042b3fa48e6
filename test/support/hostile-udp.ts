/**
 * A UDP relay on loopback that sits between a poller and a real agent (optionally slowing it down)
 * and sends garbage back to the poller's socket: random bytes, truncated BER, a v3 message on a v2c session, and a response
 * carrying the request's own id but an undecodable body. Depending on `forward`, the real answer
 * follows the garbage (the poll must still succeed) or never comes (the poll must time out).
 */
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { LOOPBACK } from "./snmp-agents.js";

export interface HostileRelay {
  readonly port: number;
  /** Garbage datagrams sent so far. */
  readonly garbageSent: number;
  /** Requests received so far, and the poller ports they came from. */
  readonly requests: number;
  readonly sourcePorts: ReadonlySet<number>;
  stop(): Promise<void>;
}

export interface RelayOptions {
  /** The real agent's port (with `forward`). */
  agentPort?: number;
  /** Relay requests to the agent and its answers back. */
  forward: boolean;
  /** Send garbage to the poller before each forward (default true). */
  garbage?: boolean;
  /** Forward only this many requests, then stay silent: an agent that stops answering mid-poll. */
  forwardFirst?: number;
  /** Hold each request this long before forwarding it: a slow agent. */
  delayMs?: number;
}

export async function startHostileRelay(options: RelayOptions): Promise<HostileRelay> {
  const front = createSocket("udp4");
  const back = createSocket("udp4");
  let garbageSent = 0;
  let requests = 0;
  const sourcePorts = new Set<number>();
  let stopped = false;
  // Which poller socket asked last: responses from the agent go back there.
  const pending = new Map<number, RemoteInfo>();
  // Forwards wait on timers; one still pending at stop() must not send on a closed socket.
  const timers = new Set<NodeJS.Timeout>();

  front.on("message", (request, from) => {
    if (stopped) return;
    requests++;
    sourcePorts.add(from.port);
    if (options.garbage !== false) {
      for (const datagram of garbageFor(request)) {
        front.send(datagram, from.port, from.address);
        garbageSent++;
      }
    }
    const silent = options.forwardFirst !== undefined && requests > options.forwardFirst;
    if (options.forward && options.agentPort !== undefined && !silent) {
      const id = requestId(request);
      if (id !== undefined) pending.set(id, from);
      // Let the garbage land first.
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!stopped) back.send(request, options.agentPort!, LOOPBACK);
      }, options.delayMs ?? 5);
      timers.add(timer);
    }
  });
  back.on("message", (response) => {
    const id = requestId(response);
    const to = id === undefined ? undefined : pending.get(id);
    if (!to || stopped) return;
    pending.delete(id!);
    front.send(response, to.port, to.address);
  });

  await bind(front);
  await bind(back);
  return {
    port: front.address().port,
    get garbageSent() {
      return garbageSent;
    },
    get requests() {
      return requests;
    },
    sourcePorts,
    stop: async () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all([close(front), close(back)]);
    },
  };
}

function bind(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, LOOPBACK, () => resolve());
  });
}

function close(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

/** The garbage sent in answer to one request. */
export function garbageFor(request: Buffer): Buffer[] {
  const out: Buffer[] = [
    Buffer.from("definitely not SNMP"),
    Buffer.alloc(0),
    Buffer.from([0x30]),
    Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01]),
    Buffer.from([0x30, 0x03, 0x02, 0x09, 0x01]),
    // SNMPv3-shaped (version 3, empty security parameters): a v2c session has no user for it.
    Buffer.from(
      "303e020103301002040000000102030100000401030201030410300e0400020100020100040004000400301504000400a00f02040000000102010002010030000000",
      "hex",
    ),
    Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff)),
  ];
  const id = requestId(request);
  if (id !== undefined) {
    // GetResponse with the request's id whose only varbind has an unknown value type (0x9f).
    const community = Buffer.from("x");
    const varbind = ber(
      0x30,
      Buffer.concat([ber(0x06, Buffer.from([0x2b, 0x06, 0x01])), ber(0x9f, Buffer.from([1]))]),
    );
    const pdu = ber(
      0xa2,
      Buffer.concat([
        ber(0x02, int32(id)),
        ber(0x02, Buffer.from([0])),
        ber(0x02, Buffer.from([0])),
        ber(0x30, varbind),
      ]),
    );
    out.push(ber(0x30, Buffer.concat([ber(0x02, Buffer.from([1])), ber(0x04, community), pdu])));
  }
  return out;
}

function ber(tag: number, content: Buffer): Buffer {
  const len = content.length;
  const header = len < 0x80 ? Buffer.from([tag, len]) : Buffer.from([tag, 0x82, len >> 8, len & 0xff]);
  return Buffer.concat([header, content]);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(5);
  b.writeUInt8(0, 0);
  b.writeUInt32BE(n >>> 0, 1);
  return b;
}

/** request-id of a v1/v2c message (message → version, community, PDU → request-id). */
export function requestId(message: Buffer): number | undefined {
  try {
    let pos = 0;
    const header = (): { tag: number; length: number; start: number } => {
      const tag = message[pos++]!;
      let length = message[pos++]!;
      if (length & 0x80) {
        const bytes = length & 0x7f;
        length = 0;
        for (let i = 0; i < bytes; i++) length = (length << 8) | message[pos++]!;
      }
      return { tag, length, start: pos };
    };
    if (header().tag !== 0x30) return undefined;
    const version = header();
    if (version.tag !== 0x02 || message[version.start] === 3) return undefined;
    pos = version.start + version.length;
    const community = header();
    pos = community.start + community.length;
    header(); // PDU
    const id = header();
    if (id.tag !== 0x02) return undefined;
    let value = 0;
    for (let i = 0; i < id.length; i++) value = value * 256 + message[id.start + i]!;
    return value;
  } catch {
    return undefined;
  }
}
