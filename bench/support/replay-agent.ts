/**
 * A fast, read-only SNMPv2c agent for benchmarks: serves an .snmprec file (snmpsim's format) with
 * every varbind pre-encoded, so answering a GetBulk is a binary search plus buffer copies. It exists
 * because the agents at hand are far slower than the poller they would measure (snmpsimd takes
 * ~45 ms per 400-varbind GetBulk; net-snmp's JS agent caps a GetBulk at max-repetitions varbinds in
 * total), and a poller benchmark must not measure its agent. Correct GET / GETNEXT / GETBULK
 * semantics (RFC 3416), noSuchInstance, endOfMibView; anything else is dropped.
 *
 *   node dist/bench/support/replay-agent.js <file.snmprec> <community> [agents]
 *     → prints {"port":N,"ports":[N,…]} (one port per agent; all served by this process)
 */
import { createSocket, type Socket } from "node:dgram";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

interface Rec {
  oid: number[];
  /** The whole varbind, SEQUENCE { OID, value }, ready to copy into a response. */
  varbind: Buffer;
  oidTlv: Buffer;
}

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let header: Buffer;
  if (n < 0x80) header = Buffer.from([tag, n]);
  else if (n < 0x100) header = Buffer.from([tag, 0x81, n]);
  else if (n < 0x10000) header = Buffer.from([tag, 0x82, n >> 8, n & 0xff]);
  else header = Buffer.from([tag, 0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([header, content]);
}

function encodeOid(oid: number[]): Buffer {
  const bytes: number[] = [oid[0]! * 40 + oid[1]!];
  for (const sub of oid.slice(2)) {
    const chunk: number[] = [sub & 0x7f];
    let v = Math.floor(sub / 128);
    while (v > 0) {
      chunk.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function encodeSigned(n: bigint): Buffer {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (!((v === 0n && (bytes[0]! & 0x80) === 0) || (v === -1n && (bytes[0]! & 0x80) !== 0)));
  return Buffer.from(bytes);
}

function encodeUnsigned(n: bigint): Buffer {
  const bytes = encodeSigned(n);
  return bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}

function encodeValue(tag: string, raw: string): Buffer {
  const base = tag.split(":")[0]!;
  const value = tag.includes(":") ? (/value=([^,]*)/.exec(raw)?.[1] ?? "") : raw;
  switch (base) {
    case "2":
      return tlv(0x02, encodeSigned(BigInt(value)));
    case "4":
      return tlv(0x04, Buffer.from(value, "utf8"));
    case "4x":
      return tlv(0x04, Buffer.from(value, "hex"));
    case "5":
      return Buffer.from([0x05, 0x00]);
    case "6":
      return encodeOid(value.split(".").map(Number));
    case "64":
      return tlv(0x40, Buffer.from(value.split(".").map(Number)));
    case "65":
      return tlv(0x41, encodeUnsigned(BigInt(value)));
    case "66":
      return tlv(0x42, encodeUnsigned(BigInt(value)));
    case "67":
      return tlv(0x43, encodeUnsigned(BigInt(value)));
    case "70":
      return tlv(0x46, encodeUnsigned(BigInt(value)));
    default:
      throw new Error(`replay agent: unsupported snmprec tag ${tag}`);
  }
}

function compare(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function loadSnmprec(path: string): Rec[] {
  const records: Rec[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line.trim() || line.startsWith("#")) continue;
    const [oidText, tag, ...rest] = line.split("|");
    const oid = oidText!.split(".").map(Number);
    const oidTlv = encodeOid(oid);
    records.push({
      oid,
      oidTlv,
      varbind: tlv(0x30, Buffer.concat([oidTlv, encodeValue(tag!, rest.join("|"))])),
    });
  }
  return records.sort((a, b) => compare(a.oid, b.oid));
}

/** Minimal BER reader for requests. */
class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  header(): { tag: number; len: number; start: number } {
    const tag = this.buf[this.pos++]!;
    let len = this.buf[this.pos++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + this.buf[this.pos++]!;
    }
    if (this.pos + len > this.buf.length) throw new Error("truncated");
    return { tag, len, start: this.pos };
  }
  int(): number {
    const h = this.header();
    let v = this.buf[h.start]! & 0x80 ? -1 : 0;
    for (let i = 0; i < h.len; i++) v = v * 256 + this.buf[h.start + i]!;
    this.pos = h.start + h.len;
    return v;
  }
  bytes(): Buffer {
    const h = this.header();
    this.pos = h.start + h.len;
    return this.buf.subarray(h.start, h.start + h.len);
  }
  oid(): number[] {
    const b = this.bytes();
    const out = [Math.floor(b[0]! / 40), b[0]! % 40];
    let v = 0;
    for (let i = 1; i < b.length; i++) {
      v = v * 128 + (b[i]! & 0x7f);
      if (!(b[i]! & 0x80)) {
        out.push(v);
        v = 0;
      }
    }
    return out;
  }
}

export function answer(records: Rec[], community: string, request: Buffer): Buffer | undefined {
  const r = new Reader(request);
  if (r.header().tag !== 0x30) return undefined;
  const version = r.int();
  if (version !== 1) return undefined;
  if (r.bytes().toString() !== community) return undefined;
  const pdu = r.header();
  const id = r.int();
  const a = r.int();
  const b = r.int();
  r.header();
  const oids: number[][] = [];
  while (r.pos < pdu.start + pdu.len) {
    r.header();
    oids.push(r.oid());
    r.bytes();
  }
  const nextIndex = (oid: number[]): number => {
    let lo = 0;
    let hi = records.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(records[mid]!.oid, oid) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const endOfMib = (oid: number[]) => tlv(0x30, Buffer.concat([encodeOid(oid), Buffer.from([0x82, 0x00])]));
  const out: Buffer[] = [];
  if (pdu.tag === 0xa0) {
    for (const oid of oids) {
      const i = nextIndex(oid) - 1;
      const rec = records[i];
      out.push(
        rec && compare(rec.oid, oid) === 0
          ? rec.varbind
          : tlv(0x30, Buffer.concat([encodeOid(oid), Buffer.from([0x81, 0x00])])),
      );
    }
  } else if (pdu.tag === 0xa1 || pdu.tag === 0xa5) {
    const nonRepeaters = pdu.tag === 0xa5 ? Math.max(0, Math.min(a, oids.length)) : oids.length;
    const repetitions = pdu.tag === 0xa5 ? Math.max(0, b) : 0;
    for (let i = 0; i < nonRepeaters; i++) {
      const rec = records[nextIndex(oids[i]!)];
      out.push(rec ? rec.varbind : endOfMib(oids[i]!));
    }
    const cursors = oids.slice(nonRepeaters).map((oid) => nextIndex(oid));
    for (let rep = 0; rep < repetitions && cursors.length > 0; rep++) {
      let allEnded = true;
      for (let c = 0; c < cursors.length; c++) {
        const rec = records[cursors[c]!];
        if (rec) {
          out.push(rec.varbind);
          cursors[c]!++;
          allEnded = false;
        } else {
          out.push(endOfMib(oids[nonRepeaters + c]!));
        }
      }
      if (allEnded) break;
    }
  } else {
    return undefined;
  }
  const header = Buffer.concat([
    tlv(0x02, encodeSigned(BigInt(id))),
    Buffer.from([0x02, 0x01, 0x00, 0x02, 0x01, 0x00]),
  ]);
  const body = tlv(0xa2, Buffer.concat([header, tlv(0x30, Buffer.concat(out))]));
  return tlv(0x30, Buffer.concat([Buffer.from([0x02, 0x01, 0x01]), tlv(0x04, Buffer.from(community)), body]));
}

export function startReplayAgent(
  file: string,
  community: string,
  records: Rec[] = loadSnmprec(file),
): Promise<{ port: number; socket: Socket }> {
  const socket = createSocket("udp4");
  socket.on("message", (msg, from) => {
    try {
      const response = answer(records, community, msg);
      if (response) socket.send(response, from.port, from.address);
    } catch {
      // Not a request this agent understands: drop it, as agents do.
    }
  });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => resolve({ port: socket.address().port, socket }));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // With a count: that many agents (one UDP port each) in this process, like a fleet of devices.
  const [file, community, count = "1"] = process.argv.slice(2);
  if (!file || !community || !(Number(count) >= 1)) {
    console.error("usage: replay-agent <file.snmprec> <community> [agents]");
    process.exit(2);
  }
  const records = loadSnmprec(file);
  Promise.all(Array.from({ length: Number(count) }, () => startReplayAgent(file, community, records))).then(
    (agents) => {
      const ports = agents.map((a) => a.port);
      process.stdout.write(`${JSON.stringify({ port: ports[0], ports })}\n`);
      process.stdin.resume();
      process.stdin.on("end", () => process.exit(0));
    },
  );
}
