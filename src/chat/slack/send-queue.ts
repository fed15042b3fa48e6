import type { Logger } from "../../lib/logger.js";
import { SlackCallError } from "./slack-api.js";

/**
 * The scheduling core of the outbox. Jobs wait in lanes (one per channel, so a channel's messages keep
 * their order); a lane runs one job at a time and spaces writes by `intervalMs` measured from the end
 * of the previous call, so two posts can never reach Slack closer together than that. A 429 pauses the
 * method everywhere and the lane until Retry-After; 5xx and network errors back off exponentially.
 * Writes retry until delivered; a job with the same coalesce key that is still waiting takes the newer
 * content instead of queueing a second call (latest wins).
 */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface JobSpec<T> {
  /** Jobs sharing a lane run one at a time, in order. Omit for independent calls (reads). */
  lane?: string;
  /** Slack's rate limits are per method: a 429 pauses every job of this method. */
  method: string;
  /** Count towards the lane's spacing (a write to a channel). */
  spaced: boolean;
  /** Attempts before giving up on transient failures; default unlimited (never drop a write). */
  maxAttempts?: number;
  /** Replace a still-waiting job with the same key instead of queueing behind it. */
  coalesceKey?: string;
  run: () => Promise<T>;
}

export interface QueueStats {
  sent: number;
  rateLimited: number;
  retried: number;
  failed: number;
  coalesced: number;
  queued: number;
}

interface Job {
  spec: JobSpec<unknown>;
  attempts: number;
  waiters: { resolve: (v: unknown) => void; reject: (e: unknown) => void }[];
}

interface Lane {
  jobs: Job[];
  busy: boolean;
  notBefore: number;
  timer?: unknown;
  timerAt?: number;
}

export interface SendQueueOptions {
  timers?: Timers;
  logger?: Logger;
  /** Minimum ms between the end of one write to a channel and the next (Slack: ~1 post/s/channel). */
  intervalMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export class SendQueue {
  private readonly timers: Timers;
  private readonly intervalMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly lanes = new Map<string, Lane>();
  private readonly pausedUntil = new Map<string, number>();
  /** When each recently used lane may write again; outlives the lane so spacing holds across bursts. */
  private readonly laneNotBefore = new Map<string, number>();
  private readonly idleWaiters: (() => void)[] = [];
  private freeLaneSeq = 0;
  private closed = false;
  readonly stats: QueueStats = { sent: 0, rateLimited: 0, retried: 0, failed: 0, coalesced: 0, queued: 0 };

  constructor(private readonly options: SendQueueOptions = {}) {
    this.timers = options.timers ?? realTimers;
    this.intervalMs = options.intervalMs ?? 1000;
    this.backoffBaseMs = options.backoffBaseMs ?? 1000;
    this.backoffMaxMs = options.backoffMaxMs ?? 30_000;
  }

  enqueue<T>(spec: JobSpec<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error("the Slack outbox is closed"));
    const laneKey = spec.lane ?? `free:${++this.freeLaneSeq}`;
    let lane = this.lanes.get(laneKey);
    if (!lane) {
      lane = { jobs: [], busy: false, notBefore: this.laneNotBefore.get(laneKey) ?? 0 };
      this.lanes.set(laneKey, lane);
    }
    return new Promise<T>((resolve, reject) => {
      const waiter = { resolve: resolve as (v: unknown) => void, reject };
      // The head of a busy lane is in flight: its content is already on the wire, so it cannot change.
      const start = lane.busy ? 1 : 0;
      const twin = spec.coalesceKey
        ? lane.jobs.slice(start).find((j) => j.spec.coalesceKey === spec.coalesceKey)
        : undefined;
      if (twin) {
        twin.spec = spec as JobSpec<unknown>;
        twin.waiters.push(waiter);
        this.stats.coalesced += 1;
      } else {
        lane.jobs.push({ spec: spec as JobSpec<unknown>, attempts: 0, waiters: [waiter] });
        this.stats.queued += 1;
      }
      this.pump(laneKey);
    });
  }

  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.lanes.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Number of jobs waiting or in flight. */
  get pending(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.jobs.length;
    return n;
  }

  /** Stops the queue: pending jobs are rejected. Call idle() first to deliver everything. */
  close(): void {
    this.closed = true;
    for (const lane of this.lanes.values()) {
      if (lane.timer !== undefined) this.timers.clearTimeout(lane.timer);
      for (const job of lane.jobs)
        for (const w of job.waiters) w.reject(new Error("the Slack outbox was closed"));
    }
    this.lanes.clear();
    this.settleIdle();
  }

  private pump(laneKey: string): void {
    const lane = this.lanes.get(laneKey);
    if (!lane || lane.busy || this.closed) return;
    const job = lane.jobs[0];
    if (!job) {
      this.lanes.delete(laneKey);
      this.rememberSpacing(laneKey, lane.notBefore);
      this.settleIdle();
      return;
    }
    const now = this.timers.now();
    const readyAt = Math.max(lane.notBefore, this.pausedUntil.get(job.spec.method) ?? 0);
    if (readyAt > now) {
      this.wakeAt(laneKey, lane, readyAt);
      return;
    }
    lane.busy = true;
    job.attempts += 1;
    const spec = job.spec;
    spec.run().then(
      (value) => this.succeeded(laneKey, lane, job, spec, value),
      (err: unknown) => this.failed(laneKey, lane, job, spec, err),
    );
  }

  private succeeded(laneKey: string, lane: Lane, job: Job, spec: JobSpec<unknown>, value: unknown): void {
    lane.busy = false;
    lane.jobs.shift();
    this.stats.sent += 1;
    if (spec.spaced) lane.notBefore = this.timers.now() + this.intervalMs;
    for (const w of job.waiters) w.resolve(value);
    this.pump(laneKey);
  }

  private failed(laneKey: string, lane: Lane, job: Job, spec: JobSpec<unknown>, err: unknown): void {
    lane.busy = false;
    const now = this.timers.now();
    const failure = err instanceof SlackCallError ? err.failure : undefined;
    if (failure?.kind === "rate_limited") {
      this.stats.rateLimited += 1;
      const until = now + failure.retryAfterMs;
      this.pausedUntil.set(spec.method, Math.max(this.pausedUntil.get(spec.method) ?? 0, until));
      lane.notBefore = Math.max(lane.notBefore, until);
      this.options.logger?.warn(
        { method: spec.method, retryAfterMs: failure.retryAfterMs },
        "Slack rate limit: pausing",
      );
      job.attempts -= 1; // a 429 is Slack asking us to wait, not a failed attempt
      this.pump(laneKey);
      return;
    }
    const transient = failure?.kind === "transient";
    if (transient && job.attempts < (spec.maxAttempts ?? Number.POSITIVE_INFINITY)) {
      this.stats.retried += 1;
      const delay = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (job.attempts - 1));
      lane.notBefore = Math.max(lane.notBefore, now + delay);
      this.options.logger?.warn(
        { method: spec.method, attempt: job.attempts, delayMs: delay, err: String(err) },
        "Slack call failed: retrying",
      );
      this.pump(laneKey);
      return;
    }
    lane.jobs.shift();
    this.stats.failed += 1;
    this.options.logger?.error({ method: spec.method, err: String(err) }, "Slack call failed");
    for (const w of job.waiters) w.reject(err);
    this.pump(laneKey);
  }

  private wakeAt(laneKey: string, lane: Lane, at: number): void {
    if (lane.timer !== undefined && lane.timerAt === at) return;
    if (lane.timer !== undefined) this.timers.clearTimeout(lane.timer);
    lane.timerAt = at;
    lane.timer = this.timers.setTimeout(
      () => {
        lane.timer = undefined;
        lane.timerAt = undefined;
        this.pump(laneKey);
      },
      Math.max(0, at - this.timers.now()),
    );
  }

  private rememberSpacing(laneKey: string, notBefore: number): void {
    const now = this.timers.now();
    if (notBefore > now) this.laneNotBefore.set(laneKey, notBefore);
    else this.laneNotBefore.delete(laneKey);
    if (this.laneNotBefore.size > 1000) {
      for (const [key, at] of this.laneNotBefore) if (at <= now) this.laneNotBefore.delete(key);
    }
  }

  private settleIdle(): void {
    if (this.lanes.size > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
