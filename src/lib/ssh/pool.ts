import { createHash } from "node:crypto";
import type { Client } from "ssh2";
import type { Logger } from "../logger.js";
import type { SshTarget } from "./types.js";

/**
 * One connection per host, shared by up to `maxChannels` concurrent commands; more wait their turn.
 * A connection is closed after `idleMs` without commands, so a poll cycle costs one handshake per host
 * and nothing stays open between cycles.
 */
export interface PoolOptions {
  connect(target: SshTarget): Promise<Client>;
  logger: Logger;
  maxChannels: number;
  idleMs: number;
}

export interface PoolStats {
  /** Connections ever opened (each one is one full SSH handshake). */
  handshakes: number;
  /** Open connections now. */
  open: number;
}

type ConnState = "connecting" | "ready" | "closed";

interface Conn {
  state: ConnState;
  client: Promise<Client>;
  /** Has a command already used it? A reused connection may have died silently. */
  used: boolean;
}

interface HostEntry {
  active: number;
  waiters: (() => void)[];
  conn?: Conn;
  idleTimer?: NodeJS.Timeout;
}

export interface Lease {
  client: Client;
  reused: boolean;
  /** The connection looks dead: forget it so the next lease reconnects. */
  discard(): void;
}

export class SshPool {
  private readonly hosts = new Map<string, HostEntry>();
  private handshakes = 0;
  private closing = false;

  constructor(private readonly options: PoolOptions) {}

  /** Runs fn with a channel slot on target's shared connection. */
  async with<T>(target: SshTarget, fn: (lease: Lease) => Promise<T>): Promise<T> {
    if (this.closing) throw new Error("the SSH pool is closed");
    const key = poolKey(target);
    let entry = this.hosts.get(key);
    if (!entry) {
      entry = { active: 0, waiters: [] };
      this.hosts.set(key, entry);
    }
    await this.acquire(entry);
    try {
      const conn = this.connection(entry, target);
      const client = await conn.client;
      const reused = conn.used;
      conn.used = true;
      return await fn({
        client,
        reused,
        discard: () => this.drop(entry, conn),
      });
    } finally {
      this.release(key, entry);
    }
  }

  /**
   * Opens target's connection in the background when it has none, so a command expected soon does not
   * wait for the handshake. An unused warm connection closes after `idleMs` like any idle one. A
   * failure is not kept: the next command connects again and reports it. Resolves with the client
   * (undefined when the pool is closing or the connection failed).
   */
  warm(target: SshTarget): Promise<Client | undefined> {
    if (this.closing) return Promise.resolve(undefined);
    const key = poolKey(target);
    let entry = this.hosts.get(key);
    if (!entry) {
      entry = { active: 0, waiters: [] };
      this.hosts.set(key, entry);
    }
    const fresh = !entry.conn || entry.conn.state === "closed";
    const conn = this.connection(entry, target);
    if (fresh && entry.active === 0) this.closeWhenIdle(key, entry);
    return conn.client.then(
      (client) => client,
      () => undefined,
    );
  }

  stats(): PoolStats {
    let open = 0;
    for (const e of this.hosts.values()) if (e.conn && e.conn.state !== "closed") open++;
    return { handshakes: this.handshakes, open };
  }

  async close(): Promise<void> {
    this.closing = true;
    const all = [...this.hosts.values()];
    this.hosts.clear();
    await Promise.all(
      all.map(async (e) => {
        clearTimeout(e.idleTimer);
        if (e.conn) await endConn(e.conn);
      }),
    );
  }

  private acquire(entry: HostEntry): Promise<void> {
    clearTimeout(entry.idleTimer);
    if (entry.active < this.options.maxChannels) {
      entry.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => entry.waiters.push(resolve));
  }

  private release(key: string, entry: HostEntry): void {
    const next = entry.waiters.shift();
    if (next) {
      next(); // the slot passes straight to the next waiter
      return;
    }
    entry.active--;
    if (entry.active > 0) return;
    this.closeWhenIdle(key, entry);
  }

  private closeWhenIdle(key: string, entry: HostEntry): void {
    clearTimeout(entry.idleTimer);
    entry.idleTimer = setTimeout(() => {
      if (entry.active > 0 || this.hosts.get(key) !== entry) return;
      this.hosts.delete(key);
      if (entry.conn) void endConn(entry.conn);
    }, this.options.idleMs);
    entry.idleTimer.unref();
  }

  private connection(entry: HostEntry, target: SshTarget): Conn {
    if (entry.conn && entry.conn.state !== "closed") return entry.conn;
    const conn: Conn = { state: "connecting", client: this.options.connect(target), used: false };
    entry.conn = conn;
    conn.client.then(
      (client) => {
        this.handshakes++;
        if (conn.state === "closed") {
          client.end();
          return;
        }
        conn.state = "ready";
        client.on("close", () => {
          conn.state = "closed";
          this.options.logger.debug({ device: target.name }, "ssh connection closed");
        });
      },
      () => {
        // Do not cache the failure: the next command tries again.
        conn.state = "closed";
      },
    );
    return conn;
  }

  private drop(entry: HostEntry, conn: Conn): void {
    if (entry.conn === conn) entry.conn = undefined;
    void endConn(conn);
  }
}

function endConn(conn: Conn): Promise<void> {
  conn.state = "closed";
  return conn.client.then(
    (client) =>
      new Promise<void>((resolve) => {
        client.once("close", () => resolve());
        client.end();
        // A dead socket may never emit close.
        setTimeout(resolve, 1000).unref();
      }),
    () => undefined,
  );
}

/**
 * Connections are shared only between identical targets (same host, user, key, passphrase and pins),
 * so a target's own credentials and pins are always the ones verified.
 */
export function poolKey(t: SshTarget): string {
  const passphrase =
    t.passphrase === undefined ? "" : createHash("sha256").update(t.passphrase).digest("hex");
  return JSON.stringify([
    t.host,
    t.port,
    t.user,
    t.keyFile ?? "",
    passphrase,
    t.hostKey ?? "",
    t.knownHosts ?? "",
  ]);
}
