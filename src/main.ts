import { existsSync } from "node:fs";
import { actions as allActions, commands as allCommands } from "../commands/index.js";
import type { Action, Command, Services } from "../commands/services.js";
import type { ChatPort } from "./chat/port.js";
import { reply, text } from "./chat/reply.js";
import { createRouter, type Router } from "./chat/router.js";
import { createStoredDeliveries } from "./chat/slack/delivery-store.js";
import type { SlackSettings } from "./chat/slack/settings.js";
import type { EnvSettings } from "./config/env.js";
import { loadConfigFile, parseConfig } from "./config/load.js";
import type { Config } from "./config/schema.js";
import { type Clock, parseDuration, systemClock } from "./lib/clock.js";
import type { Logger } from "./lib/logger.js";
import { createOpsMetrics, type OpsMetrics } from "./lib/ops/metrics.js";
import { Redactor } from "./lib/redact.js";
import { createLazySshRunner } from "./lib/ssh/lazy-runner.js";
import type { PooledSshRunner } from "./lib/ssh/runner.js";
import { sshTargetFor } from "./lib/ssh/target.js";
import { type AlertmanagerWebhook, createAlertmanagerWebhook } from "./management/alertmanager/webhook.js";
import { createAlertService, type ScheduledAlertService } from "./management/alerts/service.js";
import { createBackupService, type ScheduledBackupService } from "./management/backups/backup-service.js";
import type { SnmpCollector } from "./management/collectors/snmp/index.js";
import { createLazySnmpCollector } from "./management/collectors/snmp/lazy.js";
import { createSshCollector, withSshCollector } from "./management/collectors/ssh/index.js";
import { createFleetQueries } from "./management/fleet-queries.js";
import { createInventory, type InventoryService } from "./management/inventory/service.js";
import { sourcesFromConfig } from "./management/inventory/sources.js";
import type { InventorySource } from "./management/inventory/types.js";
import { type Collector, createPoller, noPoller, type Poller } from "./management/poller.js";
import { registrationsFromConfig } from "./management/schedule.js";
import { authorizationFrom, createPrometheusApi } from "./management/sources/prometheus/prometheus-api.js";
import {
  createPrometheusSource,
  type PrometheusSource,
} from "./management/sources/prometheus/prometheus-source.js";
import { createStateRepo } from "./management/state-repo.js";
import { chatCheck, schedulerCheck, sourcesCheck, storeCheck } from "./ops/checks.js";
import { countingChat } from "./ops/counting-chat.js";
import { registerChatGauges, registerStoreGauges, stepDurationListener } from "./ops/gauges.js";
import { createOpsPart, type OpsPart } from "./ops/ops-part.js";
import { fleetViewFromManagement } from "./orchestration/management-port.js";
import { createRunReporter, type RunReporterOptions } from "./orchestration/presenters/run-reporter.js";
import { createOrchestration, type OrchestrationService } from "./orchestration/service.js";
import { createAuditRepo } from "./store/audit-repo.js";
import { createStoreHealth, type StoreHealth } from "./store/faults.js";
import { openStore, type Store } from "./store/store.js";

/**
 * The composition root: the only place that builds real clients and wires subsystems together.
 * Everything else receives what it needs through `Services` or factory arguments.
 */

/** The config file, or — when the default path simply doesn't exist yet — an empty fleet. */
export function loadConfig(settings: EnvSettings, env: NodeJS.ProcessEnv = process.env): Config {
  if (!settings.configPathExplicit && !existsSync(settings.configPath)) {
    return parseConfig("{}", "(no config file)", env);
  }
  return loadConfigFile(settings.configPath, env);
}

export interface Core {
  services: Services;
  router: Router<Services>;
  store: Store;
  /** The device poller, when the core was given a collector (`start`, `poll`, `ask refresh …`). */
  poller?: Poller;
  /** The one SSH client (pinned host keys, pooled connections) for collectors, backups and runbooks. */
  ssh: PooledSshRunner;
  /** Config backups; long-running modes call `backups.start()` to schedule them. */
  backups: ScheduledBackupService;
  /** Runbooks and runs; long-running modes call `orchestration.start()` (recovery, expiry, watching). */
  orchestration: OrchestrationService;
  /** Alert engine over the change log; long-running modes call `alerts.start()`. */
  alerts: ScheduledAlertService;
  /** Fleet data sources besides the poller (Prometheus); long-running modes start them. */
  fleetSources: PrometheusSource[];
  /** `POST /webhooks/alertmanager`, when `alertmanager:` is configured. */
  alertmanager?: AlertmanagerWebhook;
  /** opsbot's own metrics (served on /metrics). */
  metrics: OpsMetrics;
  /** The ops listener (/healthz, /readyz, /metrics, webhooks); long-running modes call `ops.start()`. */
  ops: OpsPart;
  /** Devices from NetBox/Ansible merged with the YAML; long-running modes call `inventory.start()`. */
  inventory: InventoryService;
  /** Whether the store takes writes, as the retrying writers see it (for /readyz and the admin notice). */
  storeHealth: StoreHealth;
  /** Stops the poller and backups (waiting for those in flight), closes SSH connections and the store. */
  shutdown(): Promise<void>;
  /** Closes at once; a poll still running is abandoned (its transaction never commits). */
  close(): void;
}

export interface CoreOptions {
  config: Config;
  dbPath: string;
  logger: Logger;
  chat: ChatPort;
  clock?: Clock;
  commands?: readonly Command[];
  actions?: readonly Action[];
  /** Secrets from the environment that must never be echoed (Slack tokens…). */
  secrets?: string[];
  /** Device collection (see createCollector); without it answers come from the cache alone. */
  collector?: Collector;
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
}

/** Store, services and router: what every mode (console, one-shot, Slack) shares. */
export function createCore(options: CoreOptions): Core {
  const store = openStore(options.dbPath);
  const commands = options.commands ?? allCommands;
  const inventory = createInventory({
    config: options.config,
    sources: options.inventorySources ?? sourcesFromConfig(options.config, { logger: options.logger }),
    store,
    clock: options.clock ?? systemClock,
    logger: options.logger,
    chat: options.chat,
  });
  // Everything below sees the desired device list: the YAML's devices merged with the sources' kept lists.
  const config: Config = { ...options.config, devices: inventory.current().devices };
  const redactor = new Redactor([
    ...config.secrets,
    ...(options.secrets ?? []),
    ...configSecrets(config),
    ...inventorySecrets(config),
  ]);
  const clock = options.clock ?? systemClock;
  const audit = createAuditRepo(store);
  const ssh = createLazySshRunner({ logger: options.logger, clock });
  const metrics = options.metrics ?? createOpsMetrics({ defaultMetrics: false });
  const ops = createOpsPart({ config: options.config.ops, metrics, logger: options.logger });
  const backups = createBackupService({
    ssh,
    store,
    clock,
    logger: options.logger,
    config,
    redactor,
  });
  // The cache knows every configured device (and its poll interval) before its first poll.
  const poller = options.collector
    ? createPoller({
        // Devices with `ssh.collect` also report drive health over SSH, merged into one observation.
        collector: withSshCollector(
          options.collector,
          createSshCollector({ ssh, clock, logger: options.logger }),
          clock,
        ),
        store,
        clock,
        logger: options.logger,
        config,
        onPolled: (o) => {
          const outcome = !o.reachable ? "unreachable" : o.error ? "partial" : "ok";
          metrics.polls.inc({ outcome });
          metrics.pollSeconds.observe({ outcome }, o.durationMs / 1000);
        },
      })
    : undefined;
  // The one place the device cache is synced to the desired list outside the poller.
  const syncCache = () => createStateRepo(store).syncDevices(registrationsFromConfig(config));
  if (!poller) syncCache();
  const fleet = createFleetQueries({ store, clock, baselines: config.firmware_baselines });
  const storeHealth = createStoreHealth(() => clock.now());
  reportStoreHealth(storeHealth, options);
  const orchestration = createOrchestration({
    config,
    store,
    clock,
    logger: options.logger,
    chat: options.chat,
    redactor,
    ssh,
    sshTargetFor: (name) => {
      const device = config.devices.find((d) => d.name === name);
      return device?.ssh ? sshTargetFor(device) : undefined;
    },
    // Gates read the device cache through orchestration's narrow port, never a device.
    fleet: fleetViewFromManagement(fleet),
    health: storeHealth,
  });
  // Subscribed before orchestration starts, so runs recovered after a restart are reported too.
  const runReporter = createRunReporter({
    orchestration,
    chat: options.chat,
    clock,
    logger: options.logger,
    ...(options.reporter ? { options: options.reporter } : {}),
  });
  orchestration.subscribe(stepDurationListener(metrics));
  const alerts = createAlertService({
    store,
    clock,
    chat: countingChat(options.chat, metrics.alertDeliveries),
    config,
    logger: options.logger,
    redactor,
  });
  // A refresh that changed the list: every reader of config.devices sees the new one.
  inventory.onChange((devices) => {
    config.devices = devices;
    for (const secret of configSecrets(config)) redactor.add(secret);
    if (poller) poller.reload();
    else syncCache();
    backups.reload();
  });
  const services: Services = {
    config,
    clock,
    logger: options.logger,
    audit,
    redactor,
    commands,
    fleet,
    poller: poller ?? noPoller,
    backups,
    orchestration,
    runReporter,
    alerts,
    inventory,
  };
  const fleetSources = createFleetSources({ ...options, config, store, clock, metrics });
  const alertmanager = options.config.alertmanager
    ? createAlertmanagerWebhook({
        config: { ...options.config, alertmanager: options.config.alertmanager },
        store,
        chat: options.chat,
        clock,
        logger: options.logger.child({ component: "alertmanager" }),
        metrics,
        ...(options.env ? { env: options.env } : {}),
      })
    : undefined;
  if (alertmanager) ops.addRoutes([alertmanager.route]);
  registerStoreGauges(metrics, { store, fleet, clock });
  ops.addChecks([
    chatCheck(options.chatConnection ?? (() => ({ connected: true, detail: "console chat" }))),
    storeCheck(store, clock),
    schedulerCheck(poller),
    sourcesCheck(store),
  ]);
  const router = createRouter({
    commands,
    actions: options.actions ?? allActions,
    services,
    deps: { audit, clock, logger: options.logger, redactor },
  });
  const close = () => {
    void ops.stop();
    runReporter.close();
    orchestration.stop();
    void alerts.stop();
    for (const s of fleetSources) void s.stop();
    void inventory.stop();
    void poller?.stop();
    void backups.stop();
    void ssh.close();
    store.close();
  };
  return {
    services,
    router,
    store,
    ...(poller ? { poller } : {}),
    storeHealth,
    ssh,
    backups,
    orchestration,
    alerts,
    metrics,
    ops,
    fleetSources,
    ...(alertmanager ? { alertmanager } : {}),
    inventory,
    shutdown: async () => {
      await ops.stop();
      runReporter.close();
      orchestration.stop();
      await Promise.all([
        poller?.stop(),
        backups.stop(),
        alerts.stop(),
        inventory.stop(),
        ...fleetSources.map((s) => s.stop()),
      ]);
      await ssh.close();
      store.close();
    },
    close,
  };
}

/** The Prometheus fleet source, when `sources.prometheus` is configured. */
function createFleetSources(
  deps: CoreOptions & { store: Store; clock: Clock; metrics: OpsMetrics },
): PrometheusSource[] {
  const cfg = deps.config.sources.prometheus;
  if (!cfg) return [];
  const api = createPrometheusApi({
    url: cfg.url,
    timeoutMs: parseDuration(cfg.timeout) ?? 30_000,
    ...optional("authorization", authorizationFrom(cfg, deps.env ?? process.env)),
  });
  return [
    createPrometheusSource({
      config: cfg,
      devices: deps.config.devices.filter((d) => d.via === "prometheus"),
      api,
      store: deps.store,
      clock: deps.clock,
      logger: deps.logger.child({ source: "prometheus" }),
      metrics: deps.metrics,
    }),
  ];
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * A store outage is said once, loudly — in the log and in the admin channel (`channels.admin`) — and
 * so is the recovery; the writers that hit it hold their data and retry meanwhile.
 */
function reportStoreHealth(
  health: StoreHealth,
  options: Pick<CoreOptions, "config" | "logger" | "chat">,
): void {
  const admin = options.config.channels.admin;
  health.onChange((state) => {
    const message = state.ok
      ? "The database takes writes again; held run output and journal entries are being written."
      : `Store unavailable: ${state.reason}. Runs are paused and their output is held in memory until it clears.`;
    if (state.ok) options.logger.info("store available again");
    else options.logger.error({ reason: state.reason }, "store unavailable");
    if (admin !== undefined)
      options.chat.post(admin, reply(text(message))).catch((err: unknown) => {
        options.logger.warn({ err }, "could not tell the admin channel about the store");
      });
  });
}

/** The real device collector: SNMP through net-snmp. Close it after the poller has stopped. */
export function createCollector(deps: { logger: Logger; clock?: Clock }): SnmpCollector {
  // net-snmp loads on the first poll: one-shot commands that never poll start faster.
  return createLazySnmpCollector({ logger: deps.logger, clock: deps.clock ?? systemClock });
}

/** Credentials written in the config (after ${VAR} substitution) are secrets too. */
function configSecrets(config: Config): string[] {
  return config.devices
    .flatMap((d) => [
      d.snmp?.community,
      d.snmp?.v3?.auth_key,
      d.snmp?.v3?.priv_key,
      // SSH key passphrases come from the variable the config names.
      d.ssh?.passphrase_env === undefined ? undefined : process.env[d.ssh.passphrase_env],
    ])
    .filter((s): s is string => typeof s === "string");
}

/** Profile credentials and the NetBox token are secrets even before any device uses them. */
function inventorySecrets(config: Config): string[] {
  const profiles = Object.values(config.profiles).flatMap((p) => [
    p.snmp?.community,
    p.snmp?.v3?.auth_key,
    p.snmp?.v3?.priv_key,
    p.ssh?.passphrase_env === undefined ? undefined : process.env[p.ssh.passphrase_env],
  ]);
  const netbox = config.inventory.netbox;
  const token = netbox ? process.env[netbox.token_env] : undefined;
  return [...profiles, token].filter((s): s is string => typeof s === "string" && s !== "");
}

export function envSecrets(settings: EnvSettings): string[] {
  return [settings.slack.botToken, settings.slack.appToken, settings.slack.signingSecret].filter(
    (s): s is string => s !== undefined,
  );
}

export interface SlackRuntime {
  core: Core;
  /** HTTP mode: the port Slack (and the ops routes) listen on. */
  httpPort?: number;
  /** Stops receiving, delivers what is queued, closes the store. */
  stop(): Promise<void>;
}

/**
 * Slack mode: the Bolt app's outbox is the chat port every subsystem posts through; the app starts
 * with the core's router, so Slack and the console share one command pipeline.
 */
export async function startSlack(
  options: Omit<CoreOptions, "chat"> & { settings: SlackSettings },
): Promise<SlackRuntime> {
  const clock = options.clock ?? systemClock;
  // Bolt is heavy to load; only Slack mode pays for it (keeps `opsbot ask` fast).
  const { createSlackApp } = await import("./chat/slack/app.js");
  let core: Core | undefined;
  const slack = createSlackApp({
    settings: options.settings,
    config: options.config,
    clock,
    logger: options.logger,
    // HTTP mode: the ops routes share Slack's port.
    httpFallback: (req, res) => (core ? core.ops.handler(req, res) : Promise.resolve(false)),
  });
  core = createCore({ ...options, clock, chat: slack.chat, chatConnection: () => slack.connection() });
  registerChatGauges(core.metrics, () => ({
    pending: slack.chat.pending,
    rateLimited: slack.chat.stats.rateLimited,
  }));
  const started = core;
  let httpPort: number | undefined;
  try {
    const deliveries = createStoredDeliveries(started.store, options.logger);
    httpPort = (await slack.start(started.router, { deliveries })).port;
  } catch (err) {
    await slack.stop(0).catch(() => {});
    started.close();
    throw err;
  }
  return {
    core: started,
    ...(httpPort !== undefined ? { httpPort } : {}),
    async stop() {
      await slack.stop();
      started.close();
    },
  };
}
