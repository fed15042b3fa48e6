import { createSocket, type SocketType } from "node:dgram";
import type snmp from "net-snmp";
import type { BulkReply } from "./bulk-reply.js";
import {
  agentError,
  classifySnmpError,
  type RequestContext,
  timedOut,
  unusableResponse,
} from "./classify-snmp-error.js";
import { rawBulkReply } from "./raw-bulk-reply.js";
import { SnmpRequestError } from "./snmp-errors.js";
import {
  decodeMessage,
  encodeRequest,
  encodeVarbindList,
  MalformedMessageError,
  PDU_GET,
  PDU_GET_BULK,
  PDU_GET_NEXT,
  PDU_RESPONSE,
  type RequestPdu,
  type Response,
  varbindObjects,
} from "./v2c-codec.js";

/** What the session uses of a dgram socket (a real one, or a SharedUdp view). */
export interface DatagramSocket {
  send(
    buffer: Buffer,
    offset: number,
    length: number,
    port: number,
    address: string,
    callback?: (error: Error | null, bytes: number) => void,
  ): void;
  on(event: "message", listener: (buffer: Buffer) => void): unknown;
  on(event: "close", listener: () => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  ref(): unknown;
  unref(): unknown;
  close(): unknown;
}

export interface V2cSessionOptions {
  host: string;
  port: number;
  community: string;
  ctx: RequestContext;
  /** Where the socket comes from (a SharedUdp's dgramModule); default a socket of its own. */
  dgramModule?: { createSocket(type: SocketType): unknown };
  /** Called for every received packet that is not a usable answer to a request in flight. */
  onIgnored(reason: string): void;
}

type Done<T> = (error: SnmpRequestError | null, result: T) => void;

interface Pending {
  id: number;
  buffer: Buffer;
  retriesLeft: number;
  timer: NodeJS.Timeout | undefined;
  done: Done<Response>;
}

const MAX_ID = 0x7fffffff;

/**
 * An SNMPv2c session: Get, GetNext and GetBulk (no non-repeaters) with net-snmp's request
 * semantics — a random request-id per request, resent unchanged on each timeout until the retries
 * are used up, the answer matched by request-id and checked for version, community and PDU type,
 * an error-status reported as the agent's error — encoded and decoded by v2c-codec.ts.
 * Packets that are not a usable answer (garbage, a stray id, another community) are ignored, and
 * the request waits for its real answer or its timeout.
 */
export class V2cSession {
  private readonly socket: DatagramSocket;
  private readonly community: Buffer;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(private readonly options: V2cSessionOptions) {
    this.community = Buffer.from(options.community, "utf8");
    const type: SocketType = options.host.includes(":") ? "udp6" : "udp4";
    this.socket = (
      options.dgramModule ? options.dgramModule.createSocket(type) : createSocket(type)
    ) as DatagramSocket;
    this.socket.unref();
    this.socket.on("message", (buffer) => this.receive(buffer));
    this.socket.on("close", () =>
      this.fail(() => new SnmpRequestError("timeout", "the SNMP session was closed")),
    );
    this.socket.on("error", (error) => this.fail(() => error));
  }

  get(oids: readonly string[], done: Done<snmp.Varbind[]>): void {
    this.oneForEach(PDU_GET, oids, done);
  }

  getNext(oids: readonly string[], done: Done<snmp.Varbind[]>): void {
    this.oneForEach(PDU_GET_NEXT, oids, done);
  }

  /** Get / GetNext: exactly one varbind per requested OID, in order. */
  private oneForEach(
    type: typeof PDU_GET | typeof PDU_GET_NEXT,
    oids: readonly string[],
    done: Done<snmp.Varbind[]>,
  ) {
    this.request(type, oids, 0, (error, response) => {
      if (error) return done(error, []);
      if (response.varbinds.count !== oids.length) {
        return done(unusableResponse(this.options.ctx, "Requested OIDs do not match response OIDs"), []);
      }
      done(null, varbindObjects(response.varbinds));
    });
  }

  /**
   * One list per requested OID, its repetitions in order (shorter lists when the agent sent fewer),
   * read in the received packet (see raw-bulk-reply.ts).
   */
  getBulk(oids: readonly string[], maxRepetitions: number, done: Done<BulkReply>): void {
    this.request(PDU_GET_BULK, oids, maxRepetitions, (error, response) => {
      if (error) return done(error, undefined as never);
      done(null, rawBulkReply(response.varbinds, oids.length));
    });
  }

  /** Fails what is in flight and releases the socket. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.socket.close();
    } catch {
      // Already closed underneath.
    }
    this.fail(() => new SnmpRequestError("timeout", "the SNMP session was closed"));
  }

  private request(
    type: RequestPdu["type"],
    oids: readonly string[],
    maxRepetitions: number,
    done: Done<Response>,
  ) {
    if (this.closed) {
      done(new SnmpRequestError("timeout", "the SNMP session was closed"), undefined as never);
      return;
    }
    let buffer: Buffer;
    const id = this.freshId();
    try {
      buffer = encodeRequest(this.community, type, id, maxRepetitions, encodeVarbindList(oids));
    } catch (err) {
      done(
        new SnmpRequestError(
          "invalid",
          `SNMP request to ${this.options.ctx.agent} failed: ${errorText(err)}`,
        ),
        undefined as never,
      );
      return;
    }
    const request: Pending = {
      id,
      buffer,
      retriesLeft: this.options.ctx.retries,
      timer: undefined,
      done,
    };
    if (this.pending.size === 0) this.socket.ref();
    this.pending.set(id, request);
    this.transmit(request);
  }

  private transmit(request: Pending): void {
    request.timer = setTimeout(() => this.expire(request), this.options.ctx.timeoutMs);
    try {
      this.socket.send(
        request.buffer,
        0,
        request.buffer.length,
        this.options.port,
        this.options.host,
        (error) => {
          if (error) this.finish(request, error, undefined);
        },
      );
    } catch (err) {
      this.finish(request, err, undefined);
    }
  }

  private expire(request: Pending): void {
    if (this.pending.get(request.id) !== request) return;
    if (request.retriesLeft-- > 0) this.transmit(request);
    else this.finish(request, timedOut(this.options.ctx), undefined);
  }

  private receive(buffer: Buffer): void {
    let response: Response;
    try {
      response = decodeMessage(buffer, this.community);
    } catch (err) {
      this.options.onIgnored(err instanceof MalformedMessageError ? err.message : errorText(err));
      return;
    }
    const request = this.pending.get(response.id);
    if (!request) return; // a late duplicate, or an answer to a request already given up
    if (response.version !== 1 || !response.communityMatches) {
      this.options.onIgnored("a reply with another version or community");
      return;
    }
    if (response.pduType !== PDU_RESPONSE) {
      this.options.onIgnored(
        `a PDU of type 0x${response.pduType.toString(16)} where a response was expected`,
      );
      return;
    }
    if (response.errorStatus > 0) {
      this.finish(request, agentError(this.options.ctx, response.errorStatus), undefined);
      return;
    }
    this.finish(request, null, response);
  }

  private finish(request: Pending, error: unknown, response: Response | undefined): void {
    if (this.pending.get(request.id) !== request) return;
    clearTimeout(request.timer);
    this.pending.delete(request.id);
    if (this.pending.size === 0 && !this.closed) this.socket.unref();
    if (error !== null && error !== undefined)
      request.done(classifySnmpError(error, this.options.ctx), undefined as never);
    else request.done(null, response!);
  }

  /** Fails every request in flight (the error is made only when there is one: a stack trace costs). */
  private fail(error: () => unknown): void {
    if (this.pending.size === 0) return;
    const reason = error();
    for (const request of [...this.pending.values()]) this.finish(request, reason, undefined);
  }

  private freshId(): number {
    for (;;) {
      const id = 1 + Math.floor(Math.random() * MAX_ID);
      if (!this.pending.has(id)) return id;
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
