import type { ChatPort, MessageRef } from "../../chat/port.js";
import { code, context, type Reply } from "../../chat/reply.js";
import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/logger.js";
import type { ProgressEvent } from "../progress.js";
import type { OrchestrationService } from "../service.js";
import { FINAL_RUN_STATUSES, type StepStatus } from "../types.js";
import { StepOutput, TokenBucket } from "./output-budget.js";
import { renderRunMessage, renderStepApproval } from "./run-message.js";
import { renderInterrupted, renderSummary } from "./summary.js";

/**
 * The thread reporter: turns progress events into chat messages, always rendering from the store.
 * - the parent message (request, then live checklist) is posted once and re-rendered at most every
 *   `minUpdateMs` per run, and under a shared chat.update budget for all runs;
 * - step output goes into the thread in coalesced chunks (one per flush, a bounded number per step);
 *   what did not fit is attached as a file from the store when the step ends;
 * - thread messages of a run are sent one at a time, in order, so a fast step never floods a channel;
 * - a final summary mentions the requester; an interrupted run gets Resume / Abort in its thread.
 * Events are only hints: a lost one heals on the next re-render.
 */
/** What commands may ask of the run reporter (built in the composition root, `services.runReporter`). */
export interface RunReporter {
  /** The run's parent message (the request / live checklist), posting it if needed. */
  parentOf(runId: number): Promise<MessageRef | undefined>;
  /** Resolves when every message queued so far has been handed to the chat port. */
  idle(): Promise<void>;
  close(): void;
}

export interface RunReporterOptions {
  minUpdateMs?: number;
  outputFlushMs?: number;
  chunkChars?: number;
  chunksPerStep?: number;
  updatesPerMinute?: number;
  updateBurst?: number;
  /** Longest a thread post waits for pending parent updates in its channel. */
  maxYieldMs?: number;
}

export interface RunReporterDeps {
  orchestration: OrchestrationService;
  chat: ChatPort;
  clock: Clock;
  logger: Logger;
  /** Real time for throttling (tests keep the clock manual but timers real). */
  monotonic?: () => number;
  options?: RunReporterOptions;
}

interface RunState {
  parent: Promise<MessageRef | undefined>;
  lastUpdateAt: number;
  updateTimer: NodeJS.Timeout | undefined;
  outputTimer: NodeJS.Timeout | undefined;
  /** Thread posts, in order, one at a time. */
  chain: Promise<void>;
  steps: Map<string, StepOutput>;
  stepApprovals: Map<number, Promise<MessageRef | undefined>>;
  interruptedPosted: boolean;
  finished: boolean;
  /** An update is on its way to the chat port. */
  sending: boolean;
  channel: string | undefined;
}

const STEP_DONE: readonly StepStatus[] = ["succeeded", "failed", "cancelled", "interrupted", "skipped"];

export function createRunReporter(deps: RunReporterDeps): RunReporter & { handle(e: ProgressEvent): void } {
  const o = deps.orchestration;
  const opt = {
    minUpdateMs: 1000,
    outputFlushMs: 2000,
    chunkChars: 2800,
    chunksPerStep: 8,
    updatesPerMinute: 40,
    updateBurst: 10,
    maxYieldMs: 3000,
    ...deps.options,
  };
  const mono = deps.monotonic ?? (() => performance.now());
  const bucket = new TokenBucket(opt.updatesPerMinute, opt.updateBurst, mono());
  const runs = new Map<number, RunState>();
  const log = deps.logger;
  let closed = false;

  const safely = (what: string, p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (err: unknown) => log.warn({ err: String(err) }, `run reporter: ${what} failed`),
    );

  function state(runId: number): RunState {
    let s = runs.get(runId);
    if (!s) {
      s = {
        parent: Promise.resolve(undefined),
        lastUpdateAt: Number.NEGATIVE_INFINITY,
        updateTimer: undefined,
        outputTimer: undefined,
        chain: Promise.resolve(),
        steps: new Map(),
        stepApprovals: new Map(),
        interruptedPosted: false,
        finished: false,
        sending: false,
        channel: o.view(runId)?.run.channel,
      };
      // A parent that cannot be posted (chat down, or the bot shutting down) is logged, never thrown.
      s.parent = openParent(runId, s).catch((err: unknown) => {
        if (!closed) log.warn({ err, runId }, "could not post the run's parent message");
        return undefined;
      });
      runs.set(runId, s);
    }
    return s;
  }

  /** The parent: found in the store (after a restart), or posted now. */
  async function openParent(runId: number, s: RunState): Promise<MessageRef | undefined> {
    if (closed) return undefined;
    const known = o.parentMessage(runId);
    if (known) return known;
    const view = o.view(runId);
    if (!view) return undefined;
    s.lastUpdateAt = mono();
    const ref = await deps.chat.post(
      view.run.channel,
      renderRunMessage(view, deps.clock.now()),
      view.run.threadTs ? { threadTs: view.run.threadTs } : {},
    );
    o.recordParentMessage(runId, ref);
    if (!view.run.threadTs) o.setThread(runId, ref.channel, ref.ts);
    const approval = [...view.approvals].reverse().find((a) => a.stepKey === null && a.status === "pending");
    if (approval) o.setApprovalMessage(approval.id, ref);
    // Anything that changed while the post was in flight shows on the next render.
    scheduleUpdate(runId);
    return ref;
  }

  async function threadOf(runId: number): Promise<{ channel: string; threadTs: string } | undefined> {
    const parent = await state(runId).parent;
    const run = o.view(runId)?.run;
    if (!parent || !run) return undefined;
    return { channel: parent.channel, threadTs: run.threadTs ?? parent.ts };
  }

  /** Queues a thread post after every earlier one of this run. */
  function inThread(
    runId: number,
    what: string,
    send: (t: { channel: string; threadTs: string }) => Promise<unknown>,
  ) {
    const s = state(runId);
    s.chain = s.chain
      .then(async () => {
        // After close the store may be gone: a queued thread post is dropped, not run against it.
        if (closed) return;
        const t = await threadOf(runId);
        if (!t || closed) return;
        await channelQuiet(t.channel);
        if (closed) return;
        await safely(what, send(t));
      })
      .catch((err: unknown) => {
        if (!closed) log.warn({ err, runId, what }, "run thread post failed");
      });
    return s.chain;
  }

  /**
   * Parent updates go first: a channel takes about one write a second, so a thread post queued ahead of
   * an update would delay the checklist by a second or more. Thread posts wait (a bounded time, so
   * steady updates cannot starve them) until no run in the channel has an update pending.
   */
  async function channelQuiet(channel: string): Promise<void> {
    const until = mono() + opt.maxYieldMs;
    const busy = () =>
      [...runs.values()].some((r) => r.channel === channel && (r.updateTimer !== undefined || r.sending));
    while (busy() && mono() < until) await new Promise((r) => setTimeout(r, 50));
  }

  function scheduleUpdate(runId: number): void {
    const s = state(runId);
    if (s.updateTimer || closed) return;
    const wait = Math.max(0, s.lastUpdateAt + opt.minUpdateMs - mono());
    s.updateTimer = setTimeout(() => void update(runId).catch(updateFailed), wait);
  }

  function updateFailed(err: unknown): void {
    if (!closed) log.warn({ err }, "run message update failed");
  }

  async function update(runId: number): Promise<void> {
    if (closed) return;
    const s = state(runId);
    const wait = bucket.take(mono());
    if (wait > 0) {
      s.updateTimer = setTimeout(() => void update(runId).catch(updateFailed), wait);
      return;
    }
    s.updateTimer = undefined;
    s.lastUpdateAt = mono();
    const parent = await s.parent;
    if (closed) return;
    const view = o.view(runId);
    if (!parent || !view) return;
    s.sending = true;
    await safely("parent update", deps.chat.update(parent, renderRunMessage(view, deps.clock.now())));
    s.sending = false;
    for (const a of view.approvals) {
      const msg = s.stepApprovals.get(a.id);
      if (msg && a.status !== "pending") {
        s.stepApprovals.delete(a.id);
        const ref = await msg;
        if (ref)
          await safely(
            "approval update",
            deps.chat.update(ref, renderStepApproval(view, a, deps.clock.now())),
          );
      }
    }
  }

  function scheduleOutput(runId: number): void {
    const s = state(runId);
    if (s.outputTimer || closed) return;
    s.outputTimer = setTimeout(() => {
      s.outputTimer = undefined;
      void flushOutput(runId);
    }, opt.outputFlushMs);
  }

  /** One chunk per step with output; the next flush is scheduled only after these are sent. */
  function flushOutput(runId: number, onlyKey?: string): Promise<void> {
    const s = state(runId);
    for (const [key, out] of s.steps) {
      if (onlyKey !== undefined && key !== onlyKey) continue;
      const chunk = out.take();
      const noticeDue = out.noticeDue;
      if (noticeDue) out.notice();
      if (chunk === undefined && !noticeDue) continue;
      inThread(runId, "output", (t) => {
        const reply: Reply = { blocks: [] };
        if (chunk !== undefined) reply.blocks.push(context(`${key}:`), code(chunk));
        if (noticeDue)
          reply.blocks.push(
            context(`${key} prints more than fits in messages: its full log will be attached when it ends.`),
          );
        return deps.chat.post(t.channel, reply, { threadTs: t.threadTs });
      });
    }
    return s.chain.then(() => {
      if ([...s.steps.values()].some((x) => x.hasPending || x.noticeDue)) scheduleOutput(runId);
    });
  }

  function endStep(runId: number, key: string): void {
    const s = state(runId);
    const out = s.steps.get(key);
    if (!out) return;
    void flushOutput(runId, key);
    s.steps.delete(key);
    if (!out.incomplete) return;
    inThread(runId, "log file", (t) =>
      deps.chat.uploadFile(t.channel, {
        filename: `run-${runId}-${key.replace(/[^\w.-]+/g, "_")}.log`,
        title: `Output of ${key} (run ${runId})`,
        content: o.outputText(runId, key) || "(no output)",
        threadTs: t.threadTs,
      }),
    );
  }

  function handle(e: ProgressEvent): void {
    if (closed) return;
    const s = state(e.runId);
    switch (e.type) {
      case "output": {
        let out = s.steps.get(e.key);
        if (!out) {
          out = new StepOutput({ chunkChars: opt.chunkChars, chunksPerStep: opt.chunksPerStep });
          s.steps.set(e.key, out);
        }
        out.add(e.text);
        scheduleOutput(e.runId);
        return;
      }
      case "step":
        scheduleUpdate(e.runId);
        if (STEP_DONE.includes(e.status)) endStep(e.runId, e.key);
        return;
      case "approval":
        scheduleUpdate(e.runId);
        if (e.stepKey !== null && e.status === "pending" && !s.stepApprovals.has(e.approvalId)) {
          const id = e.approvalId;
          let resolveRef: (r: MessageRef | undefined) => void = () => {};
          s.stepApprovals.set(id, new Promise((r) => (resolveRef = r)));
          void inThread(e.runId, "approval request", async (t) => {
            const view = o.view(e.runId);
            const a = view?.approvals.find((x) => x.id === id);
            if (!view || !a) return resolveRef(undefined);
            const ref = await deps.chat.post(t.channel, renderStepApproval(view, a, deps.clock.now()), {
              threadTs: t.threadTs,
            });
            resolveRef(ref);
            o.setApprovalMessage(id, ref);
          });
        }
        return;
      case "run":
        scheduleUpdate(e.runId);
        if (e.status === "interrupted" && !s.interruptedPosted) {
          s.interruptedPosted = true;
          void inThread(e.runId, "interrupted notice", async (t) => {
            const view = o.view(e.runId);
            if (view?.run.status === "interrupted")
              await deps.chat.post(t.channel, renderInterrupted(view), { threadTs: t.threadTs });
          });
        } else if (e.status !== "interrupted") s.interruptedPosted = false;
        if (FINAL_RUN_STATUSES.includes(e.status) && !s.finished) {
          s.finished = true;
          for (const key of [...s.steps.keys()]) endStep(e.runId, key);
          void inThread(e.runId, "summary", async (t) => {
            const view = o.view(e.runId);
            if (view) await deps.chat.post(t.channel, renderSummary(view), { threadTs: t.threadTs });
          }).then(() => forget(e.runId));
        }
        return;
    }
  }

  /** A finished run keeps no memory here once its last update has gone out. */
  function forget(runId: number): void {
    const s = runs.get(runId);
    if (!s) return;
    const drop = () => {
      if (s.updateTimer || s.outputTimer) setTimeout(drop, opt.minUpdateMs).unref();
      else if (runs.get(runId) === s) runs.delete(runId);
    };
    drop();
  }

  const unsubscribe = o.subscribe(handle);

  return {
    handle,
    parentOf: (runId) => state(runId).parent,
    async idle() {
      for (;;) {
        const pending = [...runs.values()];
        await Promise.all(pending.flatMap((s) => [s.parent, s.chain]));
        if (pending.every((s) => !s.updateTimer && !s.outputTimer)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close() {
      closed = true;
      unsubscribe();
      for (const s of runs.values()) {
        if (s.updateTimer) clearTimeout(s.updateTimer);
        if (s.outputTimer) clearTimeout(s.outputTimer);
        s.updateTimer = s.outputTimer = undefined;
      }
    },
  };
}
