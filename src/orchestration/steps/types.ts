import type { PlanNode } from "../plan.js";
import type { TemplateVars } from "../template.js";

/**
 * Step executors do the I/O of one step attempt; the engine journals around them. An executor never
 * throws for an expected failure (non-zero exit, unreachable device, failed gate): it returns
 * `failed` with a one-line reason. It stops promptly when `signal` aborts (cancel or timeout) and
 * then returns `cancelled`; the engine tells a timeout from a cancel by the abort reason.
 * `interrupted` means the outcome is unknown (the connection to the target died mid-command): the
 * engine retries an idempotent step, otherwise it stops the run for a Resume (approved) or Abort.
 */
export interface StepContext {
  runId: number;
  node: PlanNode;
  attempt: number;
  /** Real values (secrets included): only for rendering the action, never for display. */
  vars: TemplateVars;
  run: {
    runbook: string;
    requestedBy: string;
    requestedByName: string;
    channel: string;
    threadTs: string | null;
  };
  signal: AbortSignal;
  /** Streams output; the engine redacts, caps and journals it. */
  output(text: string, stream: "stdout" | "stderr"): void;
  /** Redacts a one-line message (errors, notify text) with this run's secrets. */
  redact(text: string): string;
}

export interface StepResult {
  status: "succeeded" | "failed" | "cancelled" | "interrupted";
  exitCode?: number | null;
  /** One line: why it failed, for the checklist. Redacted by the engine. */
  error?: string;
}

export type StepExecutor = ((ctx: StepContext) => Promise<StepResult>) & {
  /**
   * The engine expects to run `node` soon (e.g. the next host of a rolling group): prepare what
   * costs time and has no effect on the target, such as the SSH handshake. Never throws.
   */
  warm?(node: PlanNode): void;
};

export type ExecutorKind = "ssh" | "local" | "gate" | "wait" | "notify";
export type Executors = Record<ExecutorKind, StepExecutor>;

/** Abort reasons the engine uses, so executors and the engine agree on what happened. */
export const ABORT_TIMEOUT = "timeout";
export const ABORT_CANCEL = "cancel";

/** A promise-based sleep that ends early (rejecting nothing) when the signal aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
