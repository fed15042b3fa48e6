import type { Action, Command } from "../../commands/services.js";
import type { ChatAdapter } from "../chat/adapter.js";
import type { ChatPort } from "../chat/port.js";
import type { Router } from "../chat/router.js";
import type { Config } from "../config/schema.js";
import type { Clock } from "../lib/clock.js";
import type { Logger } from "../lib/logger.js";
import type { OpsMetrics } from "../lib/ops/metrics.js";
import type { InventorySource } from "../management/inventory/types.js";
import type { Collector } from "../management/poller.js";
import type { RunReporterOptions } from "../orchestration/presenters/run-reporter.js";
import type { Part } from "../runtime/lifecycle.js";
import type { Store } from "../store/store.js";

/** What Core.start starts; without it the core only answers (tests, one-shot calls). */
export interface RunOptions {
  /** The owner lease (a process part: it survives reloads). */
  owner?: Part;
  /** The chat transport; started last, stopped first, flushed after the subsystems stopped. */
  adapter?: ChatAdapter;
  /** The router the adapter talks to (a forwarding one across reloads); default the core's. */
  adapterRouter?: Router;
  /** The control socket server (a process part). */
  control?: Part;
  /** Register the configured devices in the cache (only the owner, only from a real config file). */
  syncDevices: boolean;
  /** Background work: polling, backups, orchestration recovery and sweeps, alerts, pruning. */
  schedules: boolean;
  /** With schedules: wait for the first poll round before start() resolves, or poll in the background. */
  initialPoll?: "wait" | "background";
  /** Retention pruning on its schedule (owner with schedules only). */
  prune?: Part;
  /**
   * The ops listener (/healthz, /readyz, /metrics, webhooks) as a part: every long-running mode, except
   * Slack's HTTP mode, which serves the same routes on Slack's port.
   */
  ops?: boolean;
}

export interface CoreOptions {
  config: Config;
  dbPath: string;
  /** An open connection to `dbPath` to use, which the caller closes; default: the core opens its own. */
  store?: Store;
  logger: Logger;
  chat: ChatPort;
  clock?: Clock;
  commands?: readonly Command[];
  actions?: readonly Action[];
  /** Secrets from the environment that must never be echoed (Slack tokens…). */
  secrets?: string[];
  /** Device collection (see createCollector); without it answers come from the cache alone. */
  collector?: Collector & { close?(): Promise<void> | void };
  /** Pacing of run messages (parent updates, output chunks); tests and benches tune it. */
  reporter?: RunReporterOptions;
  /** A registry of its own (tests); default a fresh one. */
  metrics?: OpsMetrics;
  /** Environment for credentials the config names by variable (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** For /readyz: can the chat transport reach us? Default: the console, always there. */
  chatConnection?: () => { connected: boolean; detail: string };
  /** Inventory sources; default those the config names (tests pass their own timers through these). */
  inventorySources?: InventorySource[];
  /** Long-running and owner behaviour; see RunOptions. */
  run?: RunOptions;
}
