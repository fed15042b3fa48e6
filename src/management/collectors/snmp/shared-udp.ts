import { createSocket, type RemoteInfo, type Socket, type SocketType } from "node:dgram";
import { EventEmitter } from "node:events";
import { type MessageKey, snmpMessageKey } from "./message-key.js";

/**
 * One UDP socket per address family for every SNMP session of a collector, instead of a socket per
 * device poll (a socket, a libuv handle and a kernel buffer each, 200 at a time in a busy fleet).
 * net-snmp takes it through its `dgramModule` option: each session gets a small socket-shaped view
 * whose sends go out on the shared socket; a reply goes to the view that sent a request with the
 * same request-id (v3: msgID) — preferring the one that sent it to the replying address and
 * community, since ids are random per session and two sessions can hold the same one. The session
 * then matches the reply to its request exactly as it would on a socket of its own.
 */
export interface SharedUdp {
  /** net-snmp's `dgramModule`: createSocket("udp4" | "udp6") returns a view on the shared socket. */
  readonly dgramModule: { createSocket(type: SocketType): SessionSocket };
  /** Views open now (sessions not yet closed). */
  openViews(): number;
  /** Closes the shared sockets; open views see "close" (their sessions fail what is in flight). */
  close(): void;
}

export interface SharedUdpOptions {
  /** Kernel receive buffer asked for (capped by net.core.rmem_max): replies of many agents at once. */
  receiveBufferBytes?: number;
}

const DEFAULT_RECEIVE_BUFFER = 4 * 1024 * 1024;

interface Sent {
  view: SessionSocket;
  address: string;
  port: number;
  community: string | undefined;
}

type Send = (error: Error | null, bytes: number) => void;

/** What net-snmp's Session uses of a dgram socket. */
export class SessionSocket extends EventEmitter {
  readonly sentIds = new Set<number>();
  referenced = false;
  closed = false;

  constructor(private readonly family: Family) {
    super();
  }

  send(buffer: Buffer, offset: number, length: number, port: number, address: string, callback?: Send) {
    if (this.closed) {
      const error = Object.assign(new Error("Not running"), { code: "ERR_SOCKET_DGRAM_NOT_RUNNING" });
      if (callback) queueMicrotask(() => callback(error, 0));
      return;
    }
    const key = snmpMessageKey(buffer.subarray(offset, offset + length));
    if (key) this.family.expect(key, { view: this, address, port, community: key.community });
    this.family.socket().send(buffer, offset, length, port, address, callback);
  }

  ref(): this {
    if (!this.referenced && !this.closed) {
      this.referenced = true;
      this.family.referenced(1);
    }
    return this;
  }

  unref(): this {
    if (this.referenced) {
      this.referenced = false;
      this.family.referenced(-1);
    }
    return this;
  }

  bind(): never {
    throw new Error("a shared SNMP socket cannot bind a source address or port");
  }

  close(): this {
    if (this.closed) return this;
    this.unref();
    this.closed = true;
    this.family.release(this);
    process.nextTick(() => this.emit("close"));
    return this;
  }
}

/** The shared socket of one address family and the requests sent on it, by id. */
class Family {
  private shared: Socket | undefined;
  private readonly pending = new Map<number, Sent[]>();
  private refs = 0;
  readonly views = new Set<SessionSocket>();

  constructor(
    private readonly type: SocketType,
    private readonly receiveBufferBytes: number,
  ) {}

  socket(): Socket {
    if (this.shared) return this.shared;
    const socket = createSocket(this.type);
    socket.on("message", (buffer: Buffer, from: RemoteInfo) => this.deliver(buffer, from));
    socket.on("error", (error) => {
      for (const view of this.views) view.emit("error", error);
    });
    socket.on("close", () => {
      if (this.shared !== socket) return;
      this.shared = undefined;
      for (const view of [...this.views]) view.close();
    });
    socket.bind(0, () => {
      try {
        socket.setRecvBufferSize(this.receiveBufferBytes);
      } catch {
        // Not allowed here: the default buffer still works, with drops (retries) under bursts.
      }
    });
    if (this.refs === 0) socket.unref();
    this.shared = socket;
    return socket;
  }

  expect(key: MessageKey, sent: Sent): void {
    const list = this.pending.get(key.id);
    if (list) {
      if (!list.some((s) => s.view === sent.view)) list.push(sent);
    } else this.pending.set(key.id, [sent]);
    sent.view.sentIds.add(key.id);
  }

  private deliver(buffer: Buffer, from: RemoteInfo): void {
    const key = snmpMessageKey(buffer);
    const list = key && this.pending.get(key.id);
    if (!key || !list) return; // nobody asked: a late duplicate or a stray packet
    // The id stays registered until its session closes: a packet that only looks like the reply
    // (garbage with a copied id) must not use it up before the real one arrives; the session
    // itself matches, validates and drops duplicates as it would on a socket of its own.
    const chosen = list.length === 1 ? list[0]! : pick(list, key, from);
    chosen.view.emit("message", buffer, from);
  }

  referenced(delta: number): void {
    this.refs += delta;
    if (!this.shared) return;
    if (this.refs > 0) this.shared.ref();
    else this.shared.unref();
  }

  release(view: SessionSocket): void {
    for (const id of view.sentIds) {
      const list = this.pending.get(id);
      if (!list) continue;
      const rest = list.filter((s) => s.view !== view);
      if (rest.length > 0) this.pending.set(id, rest);
      else this.pending.delete(id);
    }
    view.sentIds.clear();
    this.views.delete(view);
  }

  close(): void {
    const socket = this.shared;
    this.shared = undefined;
    for (const view of [...this.views]) view.close();
    this.pending.clear();
    socket?.close();
  }
}

/** Of several sessions waiting on one id: the one that asked this address with this community. */
function pick(list: Sent[], key: MessageKey, from: RemoteInfo): Sent {
  const sameCommunity = list.filter((s) => s.community === key.community);
  const candidates = sameCommunity.length > 0 ? sameCommunity : list;
  return candidates.find((s) => s.port === from.port && s.address === from.address) ?? candidates[0]!;
}

export function createSharedUdp(options: SharedUdpOptions = {}): SharedUdp {
  const buffer = options.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER;
  const families = new Map<SocketType, Family>();
  const family = (type: SocketType): Family => {
    let f = families.get(type);
    if (!f) {
      f = new Family(type, buffer);
      families.set(type, f);
    }
    return f;
  };
  return {
    dgramModule: {
      createSocket(type) {
        const f = family(type);
        const view = new SessionSocket(f);
        f.views.add(view);
        return view;
      },
    },
    openViews: () => [...families.values()].reduce((n, f) => n + f.views.size, 0),
    close() {
      for (const f of families.values()) f.close();
    },
  };
}
