import type { Logger } from "../../lib/logger.js";
import { isStoreFault, type StoreHealth, storeFaultReason } from "../../store/faults.js";
import { type MemoryBound, OutboxMemory } from "./outbox-memory.js";
import type { DurableCall, OutboxSpill, SpillEntry } from "./outbox-spill.js";
import { SlackCallError } from "./slack-api.js";

/**
 * The scheduling core of the outbox. Jobs wait in lanes (one per channel, so a channel's messages keep
 * their order); a lane runs one job at a time and spaces writes by `intervalMs` measured from the end
 * of the previous call, so two posts can never reach Slack closer together than that. A 429 pauses the
 * method everywhere and the lane until Retry-After; 5xx and network errors back off exponentially.
 * Writes retry until delivered; a job with the same coalesce key that is still waiting takes the newer
 * content instead of queueing a second call (latest wins).
 *
 * Memory is bounded (outbox-memory.ts): a write with a `durable` description that would take the queue
 * past its bound goes to the spill (a store table) and only a small placeholder keeps its place in the
 * lane; its content is read back when it reaches the head. A store fault while spilling keeps the write
 * in memory up to a hard bound; beyond that the oldest non-critical writes are dropped, counted and
 * logged. `spillAll()` at shutdown writes everything still queued; `restore()` at start puts it back
 * ahead of anything new.
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
  /**
   * Go ahead of the lane's waiting ordinary jobs (behind the one in flight and earlier priority jobs).
   * For message updates: they show current state, replace nothing in the channel's history, and should
   * not wait behind a queue of posts.
   */
  priority?: boolean;
  run: () => Promise<T>;
  /** The write as data, so it may wait in the spill instead of memory (absent: memory only, e.g. uploads). */
  durable?: DurableCall;
  /** Bytes this job holds in memory (its payload); counted against the bound. Absent: not counted (reads). */
  bytes?: number;
  /** Dropped last when memory is past the hard bound and the spill is failing. */
  critical?: boolean;
}

export interface QueueStats {
  sent: number;
  rateLimited: number;
  retried: number;
  failed: number;
  coalesced: number;
  queued: number;
  /** Writes moved to the spill because memory was at its bound. */
  spilled: number;
  /** Writes dropped because memory passed the hard bound while the spill was failing. */
  dropped: number;
}

interface Job {
  spec: JobSpec<unknown>;
  attempts: number;
  waiters: { resolve: (v: unknown) => void; reject: (e: unknown) => void }[];
  /** Creation order: "oldest" when memory must give something up. */
  seq: number;
  /** Its row in the spill (its content may also still be in memory after a failed replace). */
  spillId?: number;
  /** The content lives only in the spill. */
  spilled: boolean;
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
  /** Memory bound for waiting writes (defaults in outbox-memory.ts). */
  memory?: Partial<MemoryBound>;
  /** Replays a spilled write (the outbox's Web API client). Required with a spill. */
  replay?: (call: DurableCall) => Promise<unknown>;
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
  private jobSeq = 0;
  private closed = false;
  private spill: OutboxSpill | undefined;
  private health: StoreHealth | undefined;
  /** Spilled rows delivered whose delete failed (store fault): retried, and dropped at shutdown. */
  private readonly undeleted = new Set<number>();
  private spillFailing = false;
  readonly memory: OutboxMemory;
  readonly stats: QueueStats = {
    sent: 0,
    rateLimited: 0,
    retried: 0,
    failed: 0,
    coalesced: 0,
    queued: 0,
    spilled: 0,
    dropped: 0,
  };

  constructor(private readonly options: SendQueueOptions = {}) {
    this.timers = options.timers ?? realTimers;
    this.intervalMs = options.intervalMs ?? 1000;
    this.backoffBaseMs = options.backoffBaseMs ?? 1000;
    this.backoffMaxMs = options.backoffMaxMs ?? 30_000;
    this.memory = new OutboxMemory(options.memory);
  }

  /**
   * Gives the queue its spill, and puts back what an earlier process left there: ahead of every job
   * queued so far, in the order it was saved. Returns how many writes were restored.
   */
  attachSpill(spill: OutboxSpill, health?: StoreHealth): number {
    this.spill = spill;
    this.health = health;
    const rows = spill.list();
    const byLane = new Map<string, Job[]>();
    for (const row of rows) {
      const job: Job = {
        spec: this.spilledSpec(row.id, {
          lane: row.lane,
          method: row.method,
          spaced: true,
          ...(row.coalesceKey ? { coalesceKey: row.coalesceKey } : {}),
          ...(row.priority ? { priority: true } : {}),
          run: () => Promise.resolve(undefined),
          bytes: 0,
        }),
        attempts: 0,
        waiters: [],
        seq: ++this.jobSeq,
        spillId: row.id,
        spilled: true,
      };
      const list = byLane.get(row.lane) ?? [];
      list.push(job);
      byLane.set(row.lane, list);
    }
    for (const [laneKey, jobs] of byLane) {
      const lane = this.laneFor(laneKey);
      lane.jobs.splice(lane.busy ? 1 : 0, 0, ...jobs);
      this.stats.queued += jobs.length;
      this.pump(laneKey);
    }
    return rows.length;
  }

  enqueue<T>(spec: JobSpec<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error("the Slack outbox is closed"));
    const laneKey = spec.lane ?? `free:${++this.freeLaneSeq}`;
    const lane = this.laneFor(laneKey);
    return new Promise<T>((resolve, reject) => {
      const waiter = { resolve: resolve as (v: unknown) => void, reject };
      // The head of a busy lane is in flight: its content is already on the wire, so it cannot change.
      const start = lane.busy ? 1 : 0;
      const twin = spec.coalesceKey
        ? lane.jobs.slice(start).find((j) => j.spec.coalesceKey === spec.coalesceKey)
        : undefined;
      if (twin) {
        this.coalesce(twin, spec as JobSpec<unknown>);
        twin.waiters.push(waiter);
        this.stats.coalesced += 1;
      } else {
        const job: Job = {
          spec: spec as JobSpec<unknown>,
          attempts: 0,
          waiters: [waiter],
          seq: ++this.jobSeq,
          spilled: false,
        };
        let at = lane.jobs.length;
        if (spec.priority) {
          at = start;
          while (at < lane.jobs.length && lane.jobs[at]!.spec.priority) at += 1;
        }
        lane.jobs.splice(at, 0, job);
        this.stats.queued += 1;
        if (spec.bytes !== undefined) {
          if (this.memory.wouldExceed(spec.bytes) && this.trySpill(laneKey, job)) {
            // Its place in the lane is kept by the placeholder; the content waits in the store.
          } else {
            this.memory.hold(spec.bytes);
            this.enforceHardBound();
          }
        }
      }
      this.pump(laneKey);
    });
  }

  /** Messages whose content is only in the spill. */
  get spilledNow(): number {
    let n = 0;
    for (const lane of this.lanes.values()) for (const j of lane.jobs) if (j.spilled) n += 1;
    return n;
  }

  /**
   * At shutdown: every write still queued (the one in flight too — it may be sent twice rather than
   * lost) is saved to the spill in lane order, for the next start. Writes without a durable form
   * (file uploads) cannot be saved: they are counted and logged. Then the queue is closed.
   */
  spillAll(now: number): { saved: number; lost: number } {
    const entries: SpillEntry[] = [];
    let lost = 0;
    for (const [laneKey, lane] of this.lanes) {
      for (const job of lane.jobs) {
        const spec = job.spec;
        if (job.spilled && job.spillId !== undefined) entries.push({ id: job.spillId });
        else if (spec.durable && spec.lane !== undefined)
          entries.push({
            lane: laneKey,
            method: spec.method,
            ...(spec.coalesceKey ? { coalesceKey: spec.coalesceKey } : {}),
            priority: spec.priority === true,
            payload: spec.durable,
          });
        else if (spec.bytes !== undefined) lost += 1;
      }
    }
    let saved = 0;
    if (this.spill && (entries.length > 0 || this.undeleted.size > 0)) {
      try {
        this.spill.persist(entries, now);
        saved = entries.length;
      } catch (err) {
        lost += entries.filter((e) => !("id" in e)).length;
        this.options.logger?.error(
          { err: storeFaultReason(err), messages: entries.length },
          "Slack outbox: could not save the queued messages at shutdown; those not already spilled are lost",
        );
      }
    } else if (!this.spill) lost += entries.length;
    if (lost > 0) {
      this.stats.dropped += lost;
      this.options.logger?.error(
        { lost },
        "Slack outbox: messages not delivered and not saved at shutdown (file uploads are memory-only)",
      );
    }
    this.close("the Slack outbox stopped: the message was saved and is delivered at the next start");
    return { saved, lost };
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

  /** Stops the queue: pending jobs are rejected. Call idle() (or spillAll()) first to keep them. */
  close(why = "the Slack outbox was closed"): void {
    this.closed = true;
    for (const lane of this.lanes.values()) {
      if (lane.timer !== undefined) this.timers.clearTimeout(lane.timer);
      for (const job of lane.jobs) for (const w of job.waiters) w.reject(new Error(why));
    }
    this.lanes.clear();
    this.memory.reset();
    this.settleIdle();
  }

  private laneFor(laneKey: string): Lane {
    let lane = this.lanes.get(laneKey);
    if (!lane) {
      lane = { jobs: [], busy: false, notBefore: this.laneNotBefore.get(laneKey) ?? 0 };
      this.lanes.set(laneKey, lane);
    }
    return lane;
  }

  /** A spilled job's spec: no payload in memory; `run` reads it back from the spill. */
  private spilledSpec(id: number, spec: JobSpec<unknown>): JobSpec<unknown> {
    // Only the metadata stays: the old `run` and `durable` (and so the payload) must not be reachable.
    const { durable: _d, bytes: _b, run: _r, ...rest } = spec;
    const method = spec.method;
    return {
      ...rest,
      bytes: 0,
      run: () => {
        let call: DurableCall | undefined;
        try {
          call = this.spill?.load(id);
        } catch (err) {
          // The store cannot answer now: wait and try again, like a Slack outage.
          this.storeFault(err, "reading the Slack outbox spill");
          return Promise.reject(
            new SlackCallError(method, { kind: "transient", detail: storeFaultReason(err) }),
          );
        }
        if (!call || !this.options.replay)
          return Promise.reject(
            new SlackCallError(method, {
              kind: "permanent",
              code: "spill_row_missing",
              detail: `spilled message ${id} is gone`,
            }),
          );
        return this.options.replay(call);
      },
    };
  }

  /** Moves a new job's content to the spill; false (it stays in memory) when that is not possible. */
  private trySpill(laneKey: string, job: Job): boolean {
    const spec = job.spec;
    if (!this.spill || !spec.durable || spec.lane === undefined) return false;
    try {
      const id = this.spill.add(
        {
          lane: laneKey,
          method: spec.method,
          ...(spec.coalesceKey ? { coalesceKey: spec.coalesceKey } : {}),
          priority: spec.priority === true,
        },
        spec.durable,
      );
      job.spillId = id;
      job.spilled = true;
      job.spec = this.spilledSpec(id, spec);
      this.stats.spilled += 1;
      this.storeOk();
      return true;
    } catch (err) {
      this.storeFault(err, "spilling the Slack outbox");
      return false;
    }
  }

  /** A newer version of a waiting write (a message update): latest wins, in memory or in the spill. */
  private coalesce(twin: Job, spec: JobSpec<unknown>): void {
    if (twin.spilled && twin.spillId !== undefined && spec.durable) {
      try {
        this.spill!.replace(twin.spillId, spec.durable);
        twin.spec = this.spilledSpec(twin.spillId, spec);
        this.storeOk();
        return;
      } catch (err) {
        this.storeFault(err, "updating a spilled Slack message");
        // The newer content stays in memory; the stale row goes when this job is delivered.
      }
    }
    const wasInMemory = !twin.spilled && twin.spec.bytes !== undefined;
    const before = twin.spec.bytes ?? 0;
    twin.spec = spec;
    twin.spilled = false;
    if (spec.bytes === undefined) return;
    if (wasInMemory) this.memory.resize(spec.bytes - before);
    else this.memory.hold(spec.bytes);
    this.enforceHardBound();
  }

  /**
   * Past the hard bound (the spill is failing, or the writes cannot be spilled), the oldest waiting
   * non-critical writes are dropped — then the oldest of any kind — each counted and logged.
   */
  private enforceHardBound(): void {
    while (this.memory.overHard()) {
      const victim = this.oldestDroppable();
      if (!victim) return;
      const { laneKey, lane, index, job } = victim;
      lane.jobs.splice(index, 1);
      this.memory.release(job.spec.bytes ?? 0);
      this.stats.dropped += 1;
      if (job.spillId !== undefined) this.forgetRow(job.spillId);
      this.options.logger?.error(
        {
          method: job.spec.method,
          channel: laneKey,
          dropped: this.stats.dropped,
          memory: this.memory.snapshot(),
        },
        "Slack outbox over its hard memory bound with the spill failing: dropped the oldest message",
      );
      for (const w of job.waiters)
        w.reject(new Error("dropped: the Slack outbox was over its hard memory bound"));
    }
  }

  private oldestDroppable(): { laneKey: string; lane: Lane; index: number; job: Job } | undefined {
    let best: { laneKey: string; lane: Lane; index: number; job: Job } | undefined;
    let bestCritical: typeof best;
    for (const [laneKey, lane] of this.lanes) {
      lane.jobs.forEach((job, index) => {
        if ((lane.busy && index === 0) || job.spilled || job.spec.bytes === undefined) return;
        const c = { laneKey, lane, index, job };
        if (job.spec.critical) {
          if (!bestCritical || job.seq < bestCritical.job.seq) bestCritical = c;
        } else if (!best || job.seq < best.job.seq) best = c;
      });
    }
    return best ?? bestCritical;
  }

  private forgetRow(id: number): void {
    if (!this.spill) return;
    try {
      this.spill.remove(id);
      this.undeleted.delete(id);
    } catch (err) {
      this.undeleted.add(id);
      this.storeFault(err, "clearing a delivered message from the Slack outbox spill");
    }
  }

  private storeFault(err: unknown, where: string): void {
    if (isStoreFault(err)) this.health?.fault(err, where);
    if (!this.spillFailing)
      this.options.logger?.warn(
        { err: storeFaultReason(err), where },
        "Slack outbox: the spill store refused a write; messages stay in memory (hard bound applies)",
      );
    this.spillFailing = true;
  }

  private storeOk(): void {
    if (!this.spillFailing) return;
    this.spillFailing = false;
    this.health?.recovered("Slack outbox spill");
    for (const id of [...this.undeleted]) this.forgetRow(id);
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
    this.finish(job);
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
    this.finish(job);
    this.stats.failed += 1;
    this.options.logger?.error({ method: spec.method, err: String(err) }, "Slack call failed");
    for (const w of job.waiters) w.reject(err);
    this.pump(laneKey);
  }

  /** A job left the queue (sent, or failed for good): its memory and its spill row go. */
  private finish(job: Job): void {
    if (!job.spilled && job.spec.bytes !== undefined) this.memory.release(job.spec.bytes);
    if (job.spillId !== undefined) this.forgetRow(job.spillId);
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
