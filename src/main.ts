import type { Services } from "../commands/services.js";
import type { ChatAdapter } from "./chat/adapter.js";
import type { Router } from "./chat/router.js";
import type { SlackSettings } from "./chat/slack/settings.js";
import type { Config } from "./config/schema.js";
import { baseParts, baseServices, coreRouter, createCoreBase, isAlways } from "./core/base.js";
import type { CoreOptions } from "./core/options.js";
import { createSubsystems } from "./core/subsystems.js";
import { type Clock, parseDuration, systemClock } from "./lib/clock.js";
import type { Logger } from "./lib/logger.js";
import type { OpsHandler } from "./lib/ops/http.js";
import type { OpsMetrics } from "./lib/ops/metrics.js";
import type { PooledSshRunner } from "./lib/ssh/runner.js";
import type { AmSilenceSync } from "./management/alertmanager/silence-sync.js";
import type { AlertmanagerWebhook } from "./management/alertmanager/webhook.js";
import type { ScheduledAlertService } from "./management/alerts/service.js";
import type { ScheduledBackupService } from "./management/backups/backup-service.js";
import type { InventoryService } from "./management/inventory/service.js";
import type { Poller } from "./management/poller.js";
import type { PrometheusSource } from "./management/sources/prometheus/prometheus-source.js";
import type { OpsPart } from "./ops/ops-part.js";
import type { OrchestrationService } from "./orchestration/service.js";
import { createLifecycle, type Lifecycle, type Part } from "./runtime/lifecycle.js";
import type { StoreHealth } from "./store/faults.js";
import type { Store } from "./store/store.js";

export type { CoreOptions, RunOptions } from "./core/options.js";
export { configSecrets, configuredNames } from "./core/secrets.js";
export { configFileMissing, createCollector, envSecrets, loadConfig } from "./core/setup.js";

/**
 * The composition root: the only place that builds real clients and wires subsystems together.
 * Everything else receives what it needs through `Services` or factory arguments. The wiring lives
 * in src/core/: `base.ts` (store, device list, redaction, audit, fleet answers) and `subsystems.ts`
 * (everything else); `one-shot.ts` builds the same core for `opsbot ask`, subsystems on first use.
 */

export interface Core {
  services: Services;
  router: Router<Services>;
  store: Store;
  /** The device poller, when the core was given a collector (`start`, `poll`, `ask refresh …`). */
  poller?: Poller;
  /** The one SSH client (pinned host keys, pooled connections) for collectors, backups and runbooks. */
  ssh: PooledSshRunner;
  /** Config backups (scheduled by Core.start when `run.schedules`). */
  backups: ScheduledBackupService;
  /** Runbooks and runs (recovery, expiry and watching start with Core.start when `run.schedules`). */
  orchestration: OrchestrationService;
  /** Alert engine over the change log (started by Core.start when `run.schedules`). */
  alerts: ScheduledAlertService;
  /** Fleet data sources besides the poller (Prometheus); started by Core.start where schedules run. */
  fleetSources: PrometheusSource[];
  /** `POST /webhooks/alertmanager`, when `alertmanager:` is configured. */
  alertmanager?: AlertmanagerWebhook;
  /** Alertmanager silence expiry → group messages (run by Core.start where schedules run). */
  alertmanagerSilences?: AmSilenceSync;
  /** opsbot's own metrics (served on /metrics). */
  metrics: OpsMetrics;
  /** The ops listener (/healthz, /readyz, /metrics, webhooks); a lifecycle part in long-running modes (`run.ops`). */
  ops: OpsPart;
  /** Devices from NetBox/Ansible merged with the YAML (refreshed on schedule by Core.start when `run.schedules`). */
  inventory: InventoryService;
  /** Whether the store takes writes, as the retrying writers see it (for /readyz and the admin notice). */
  storeHealth: StoreHealth;
  /**
   * The ordered parts Core.start / Core.stop run: add yours (an ops HTTP listener…) with
   * `lifecycle.add(part, { before: "control" })`. See `lifecycle.names()`.
   */
  lifecycle: Lifecycle;
  /** Starts every part in order (lease, device sync, subsystems, control socket, chat). */
  start(): Promise<void>;
  /**
   * Graceful stop in reverse order: chat and control stop accepting, running steps get the shutdown
   * grace, the rest is marked interrupted through the journal, the outbox is flushed, the lease
   * released, the store closed last. With `reload`, process parts (lease, chat, socket) keep running.
   */
  stop(options?: { reload?: boolean }): Promise<void>;
  /** Same as stop(): kept for callers that never started the core. */
  shutdown(): Promise<void>;
  /** Closes at once; a poll still running is abandoned (its transaction never commits). */
  close(): void;
  /** Called when what the App Home shows may have changed: runs, approvals, alerts. Returns unsubscribe. */
  onStateChange(listener: () => void): () => void;
}

/** Store, services and router: what every mode (console, one-shot, Slack) shares, and their lifecycle. */
export function createCore(options: CoreOptions): Core {
  const base = createCoreBase(options);
  const subsystems = createSubsystems(base);
  const services: Services = { ...baseServices(base), ...subsystems.services };
  const router = coreRouter(base, services);
  const run = options.run;
  const schedules = run?.schedules === true;
  const { head, inventory, tail } = baseParts(base, { services: () => services, router: () => router });
  // Start order; stop runs in reverse. `always`: resources held from creation, released by stop()
  // even when start() never ran.
  const parts: Part[] = [
    ...head,
    ...subsystems.parts.beforeInventory,
    inventory,
    ...subsystems.parts.afterInventory,
    ...(schedules && run?.prune ? [run.prune] : []),
    // /healthz, /readyz, /metrics and webhooks, in every long-running mode (Slack's HTTP mode serves
    // the same routes on its own port instead); after the subsystems, so it stops before them.
    ...(run?.ops
      ? [
          {
            name: "ops",
            start: async () => {
              await subsystems.ops.start();
            },
            stop: () => subsystems.ops.stop(),
          },
        ]
      : []),
    ...tail,
  ];
  const lifecycle = createLifecycle(base.logger, parts, isAlways);
  const stop = (o?: { reload?: boolean }) => lifecycle.stop(o);
  const am = subsystems.alertmanager;
  return {
    services,
    router,
    store: base.store,
    ...(subsystems.poller ? { poller: subsystems.poller } : {}),
    ssh: base.ssh,
    backups: subsystems.backups,
    orchestration: subsystems.orchestration,
    alerts: subsystems.alerts,
    metrics: subsystems.metrics,
    ops: subsystems.ops,
    fleetSources: subsystems.fleetSources,
    ...(am ? { alertmanager: am.webhook, alertmanagerSilences: am.silenceSync } : {}),
    inventory: base.inventory,
    storeHealth: base.storeHealth,
    lifecycle,
    start: () => lifecycle.start(),
    stop,
    shutdown: () => stop(),
    onStateChange(listener) {
      base.stateListeners.add(listener);
      return () => base.stateListeners.delete(listener);
    },
    close: () => {
      subsystems.close();
      void base.inventory.stop();
      void base.ssh.close();
      if (base.store !== options.store) base.store.close();
    },
  };
}

export interface SlackRuntime {
  core: Core;
  /** HTTP mode: the port Slack (and the ops routes) listen on. */
  httpPort?: number;
  /** Stops receiving, stops the core gracefully, delivers what is queued, closes the store. */
  stop(): Promise<void>;
}

/**
 * Slack mode for tests and benches that drive a core directly: the Bolt app's outbox is the chat
 * port every subsystem posts through; the app starts with the core's router, so Slack and the
 * console share one command pipeline. The CLI builds the same through src/runtime/bot.ts.
 */
export async function startSlack(
  options: Omit<CoreOptions, "chat"> & { settings: SlackSettings },
): Promise<SlackRuntime> {
  const clock = options.clock ?? systemClock;
  let core: Core | undefined;
  let httpPort: number | undefined;
  const adapter = await createSlackAdapter({
    ...options,
    clock,
    // HTTP mode: the ops routes share Slack's port.
    httpFallback: (req, res) => (core ? core.ops.handler(req, res) : Promise.resolve(false)),
    onStarted: (info) => {
      httpPort = info.port;
    },
  });
  core = createCore({
    ...options,
    clock,
    chat: adapter.port,
    run: { syncDevices: true, schedules: false, ...options.run, adapter },
  });
  const started = core;
  await started.start();
  return {
    core: started,
    ...(httpPort !== undefined ? { httpPort } : {}),
    stop: () => started.stop(),
  };
}

/** opsbot.yaml `outbox:` as the Slack app takes it. */
function outboxOptions(o: Config["outbox"]) {
  const ms = (d: string, fallback: number) => parseDuration(d) ?? fallback;
  return {
    channelIntervalMs: ms(o.channel_interval, 1000),
    outbox: {
      memory: {
        messages: o.memory_messages,
        bytes: Math.round(o.memory_mb * 1024 * 1024),
        hardMessages: o.hard_messages,
        hardBytes: Math.round(o.hard_mb * 1024 * 1024),
      },
      backoffMaxMs: ms(o.retry_max, 30_000),
      drainMs: ms(o.drain_on_stop, 10_000),
    },
  };
}

/** Bolt is heavy to load; only Slack mode pays for it (keeps `opsbot ask` fast). */
export async function createSlackAdapter(options: {
  settings: SlackSettings;
  config: Config;
  clock: Clock;
  logger: Logger;
  /** Delivery keys (replay and retry memory) live in this database. */
  dbPath: string;
  /** HTTP mode: requests Slack's routes don't take (the ops routes). */
  httpFallback?: OpsHandler;
  onStarted?: (info: { botUserId: string; port?: number }) => void;
}): Promise<ChatAdapter> {
  const { createSlackApp } = await import("./chat/slack/app.js");
  const { slackAdapter } = await import("./chat/slack/slack-adapter.js");
  return slackAdapter(createSlackApp({ ...options, ...outboxOptions(options.config.outbox) }), {
    dbPath: options.dbPath,
    logger: options.logger,
    ...(options.onStarted ? { onStarted: options.onStarted } : {}),
  });
}
