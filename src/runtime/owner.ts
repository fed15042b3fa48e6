import { hostname } from "node:os";
import type { Config } from "../config/schema.js";
import { parseDuration } from "../lib/clock.js";
import { ConflictError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import { createOwnerLeaseRepo, type LeaseHolder } from "../store/owner-lease.js";
import { openStore, type Store } from "../store/store.js";
import type { Part } from "./lifecycle.js";

export interface OwnerOptions {
  dbPath: string;
  /**
   * A connection to that database to use instead of one of its own; the caller closes it. A
   * one-shot `ask` shares the one it holds for the whole call (no second open, no extra WAL work).
   */
  store?: Store;
  logger: Logger;
  /** What kind of process holds it (shown to whoever is refused). */
  mode: string;
  staleMs: number;
  heartbeatMs: number;
  /** The control socket this owner listens on, recorded for `ask`. */
  socket?: string;
  /** Wait for the lease instead of refusing (`opsbot start --wait`). */
  wait?: boolean;
  /** Called when another process took the lease over (we were stale): the process must stop. */
  onLost(holder: LeaseHolder | undefined): void;
  /** Wall clock (ms); the lease is shared between processes, so never a test clock. */
  now?: () => number;
}

export interface OwnerPart extends Part {
  readonly holder: string;
  start(): Promise<void>;
  stop(): void;
  /** Resolves the wait of `--wait` early (a stop requested while waiting). */
  cancelWait(): void;
}

/**
 * This process's claim on the lease: unique to it, compared for equality and never secret. Host, pid
 * and start time tell processes apart (Math.random too, for containers sharing a host name and pid);
 * no node:crypto, which would cost a one-shot `ask` ~5 ms of loading.
 */
export function holderId(): string {
  const random = Math.random().toString(36).slice(2, 12);
  return `${hostname()}/${process.pid}/${Date.now().toString(36)}/${random}`;
}

/** The lease's stale window and heartbeat from `owner:` in the config. */
export function leaseTiming(config: Pick<Config, "owner">): { staleMs: number; heartbeatMs: number } {
  return {
    staleMs: parseDuration(config.owner.stale_after) ?? 15_000,
    heartbeatMs: parseDuration(config.owner.heartbeat) ?? 3_000,
  };
}

/** "start (pid 4242 on web01, heartbeat 3s ago)" */
export function describeHolder(h: LeaseHolder, now: number): string {
  const ago = Math.max(0, Math.round((now - h.heartbeatAt) / 1000));
  return `${h.mode} (pid ${h.pid} on ${h.host}, last heartbeat ${ago}s ago)`;
}

/**
 * The owner lease as a lifecycle part: start takes it (or waits for it, or refuses naming the
 * holder), a timer renews it, stop releases it. It has its own connection to the database, so a
 * heartbeat never queues behind the owner's own work and survives config reloads (unless it is
 * given one: `store`).
 */
export function createOwnerPart(o: OwnerOptions): OwnerPart {
  const holder = holderId();
  const now = o.now ?? Date.now;
  let store: Store | undefined;
  let timer: NodeJS.Timeout | undefined;
  let held = false;
  let wakeWait: (() => void) | undefined;
  let cancelled = false;
  const claim = { holder, pid: process.pid, host: hostname(), mode: o.mode, socket: o.socket };

  const heartbeat = () => {
    if (!store || !held) return;
    try {
      if (store.durable(() => createOwnerLeaseRepo(store!).renew(holder, now(), o.staleMs))) return;
      held = false;
      const by = createOwnerLeaseRepo(store).read();
      o.logger.error({ holder: by }, "owner lease lost: another process took over; stopping");
      o.onLost(by);
    } catch (err) {
      // Busy or unavailable for a moment: the next beat retries; staleMs covers several misses.
      o.logger.warn({ err }, "owner lease heartbeat failed; retrying");
    }
  };

  return {
    name: "lease",
    process: true,
    holder,
    cancelWait() {
      cancelled = true;
      wakeWait?.();
    },
    async start() {
      if (held) return;
      store ??= o.store ?? openStore(o.dbPath);
      const repo = createOwnerLeaseRepo(store);
      let announced = false;
      for (;;) {
        const r = repo.tryAcquire(claim, now(), o.staleMs);
        if (r.ok) {
          held = true;
          if (r.tookOverFrom) {
            o.logger.warn(
              { previous: r.tookOverFrom },
              `took the owner lease over from ${describeHolder(r.tookOverFrom, now())}`,
            );
          }
          break;
        }
        const who = describeHolder(r.holder, now());
        if (!o.wait || cancelled) {
          if (store !== o.store) store.close();
          store = undefined;
          throw new ConflictError(
            cancelled
              ? `Stopped while waiting for the owner lease of ${o.dbPath}, held by ${who}.`
              : `Another opsbot owns ${o.dbPath}: ${who}. Stop it first, or pass --wait to take over when it stops or goes stale (after ${Math.round(o.staleMs / 1000)}s without a heartbeat).`,
          );
        }
        if (!announced) {
          announced = true;
          process.stderr.write(`opsbot: waiting for the owner lease of ${o.dbPath}, held by ${who}…\n`);
        }
        await new Promise<void>((resolve) => {
          wakeWait = resolve;
          setTimeout(resolve, Math.min(o.heartbeatMs, 1000));
        });
        wakeWait = undefined;
      }
      timer = setInterval(heartbeat, o.heartbeatMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (store && held) {
        try {
          createOwnerLeaseRepo(store).release(holder);
        } catch (err) {
          o.logger.warn({ err }, "could not release the owner lease; it goes stale by itself");
        }
      }
      held = false;
      if (store !== o.store) store?.close();
      store = undefined;
    },
  };
}
