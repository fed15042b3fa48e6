import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/logger.js";
import type { Redactor } from "../../lib/redact.js";
import type { StoreHealth } from "../../store/faults.js";
import type { Store } from "../../store/store.js";
import type { Journal } from "../journal.js";
import type { createOutputWriter } from "../output.js";
import type { Plan, PlanDevice } from "../plan.js";
import type { ProgressHub } from "../progress.js";
import type { RunbookVersion } from "../runbooks/parse.js";
import type { Executors, Sleep } from "../steps/types.js";
import type { ApprovalStatus } from "../types.js";
import type { StepStates } from "./step-states.js";

/** What the engine's parts (requests, controls, step runner, recovery) ask of the engine itself. */
export interface RunLifecycle {
  /** Tells listeners the run's status, as stored. */
  emitRun(runId: number): void;
  /**
   * approved → running, once the run's locks are free; anything else is left alone. `planned` is the
   * plan the request just built from the same version and values (saves building it again).
   */
  start(runId: number, planned?: Plan): void;
  /** After `journal.endRun` won: forgets the run's secrets, tells listeners, starts runs that waited for its locks. */
  ended(runId: number): void;
  /** Re-evaluates a run now. */
  pump(run: ActiveRun): void;
  /** Re-evaluates a run once, after the current burst of completions (coalesces their journal writes). */
  schedulePump(run: ActiveRun): void;
}

export interface EngineSettings {
  defaultStepTimeoutMs: number;
  approvalExpiresInMs: number;
  allowLocal: boolean;
  outputCapBytes: number;
  /** How often batched output is written. Default 100 ms. */
  outputFlushMs?: number;
}

export interface EngineDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  executors: Executors;
  /** Redacts the configured secrets; each run adds its secret parameters. */
  redactor: Redactor;
  /** Active runbooks by name (the catalog). */
  runbook(name: string): RunbookVersion | undefined;
  /** Names of the active runbooks, for "did you mean" (default: none suggested). */
  runbookNames?(): string[];
  /** The configured devices, read at request time. */
  devices(): readonly PlanDevice[];
  settings: EngineSettings;
  /** Told when journal or output writes fail for a store fault, and when they work again. */
  health?: StoreHealth;
  sleep?: Sleep;
  progress?: ProgressHub;
}

/** A run this process is executing. Everything in it can be rebuilt from the store. */
export interface ActiveRun {
  id: number;
  version: RunbookVersion;
  plan: Plan;
  /** Full values, secrets included; never stored. */
  params: Record<string, string>;
  secretNames: string[];
  redactor: Redactor;
  /** Each step's status and last journaled attempt (the next start is that + 1), by plan position. */
  status: StepStates;
  /** Per running main step, to stop it on cancel. */
  controllers: Map<string, AbortController>;
  /** Aborted on cancel: wakes backoff sleeps and pending mid-run approvals. */
  cancel: AbortController;
  cancelRequested: boolean;
  finishing: boolean;
  /** Shutdown gave up waiting and marked it interrupted: nothing of it is written any more. */
  detached?: boolean;
  pumpScheduled: boolean;
  done: Promise<void>;
  resolveDone: () => void;
}

/** Shared state of one engine, handed to its parts (start, step runner, recovery). */
export interface EngineCore {
  deps: EngineDeps;
  journal: Journal;
  writer: ReturnType<typeof createOutputWriter>;
  progress: ProgressHub;
  sleep: Sleep;
  active: Map<number, ActiveRun>;
  /** Secret parameter values of unfinished runs, by run id. Memory only, by design. */
  secrets: Map<number, Record<string, string>>;
  /** Mid-run approval steps waiting for a decision, by approval id. */
  approvalWaiters: Map<number, (status: ApprovalStatus, decidedBy: string | null) => void>;
  lifecycle: RunLifecycle;
}
