import { existsSync } from "node:fs";
import { homeView } from "../commands/app-home.js";
import { actions as allActions, commands as allCommands } from "../commands/index.js";
import type { Action, Command, Services } from "../commands/services.js";
import type { ChatAdapter } from "./chat/adapter.js";
import type { ChatPort } from "./chat/port.js";
import { reply, text } from "./chat/reply.js";
import { createRouter, type Router } from "./chat/router.js";
import type { SlackSettings } from "./chat/slack/settings.js";
import type { EnvSettings } from "./config/env.js";
import { emptyConfig, loadConfigFile } from "./config/load.js";
import type { Config } from "./config/schema.js";
import { type Clock, parseDuration, systemClock } from "./lib/clock.js";
import type { Logger } from "./lib/logger.js";
import type { OpsHandler } from "./lib/ops/http.js";
import { createOpsMetrics, type OpsMetrics } from "./lib/ops/metrics.js";
import { Redactor } from "./lib/redact.js";
import { createLazySshRunner } from "./lib/ssh/lazy-runner.js";
import type { PooledSshRunner } from "./lib/ssh/runner.js";
import { sshTargetFor } from "./lib/ssh/target.js";
import { setDisplayTimezone } from "./lib/time-format.js";
import { type LabelledSecret, weakSecretWarnings } from "./lib/weak-secrets.js";
import { createAlertmanager } from "./management/alertmanager/alertmanager.js";
import { noAlertmanager } from "./management/alertmanager/service.js";
import type { AmSilenceSync } from "./management/alertmanager/silence-sync.js";
import { renderAmFiring } from "./management/alertmanager/summary.js";
import type { AlertmanagerWebhook } from "./management/alertmanager/webhook.js";
import { alertChartsFrom } from "./management/alerts/alert-chart.js";
import { createAlertService, type ScheduledAlertService } from "./management/alerts/service.js";
import { createBackupService, type ScheduledBackupService } from "./management/backups/backup-service.js";
import type { SnmpCollector } from "./management/collectors/snmp/index.js";
import { createLazySnmpCollector } from "./management/collectors/snmp/lazy.js";
import { createSshCollector, withSshCollector } from "./management/collectors/ssh/index.js";
import { createFleetQueries } from "./management/fleet-queries.js";
import { createStoreHistory } from "./management/history/store-history.js";
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
import { startPoller } from "./management/start-poller.js";
import { createStateRepo } from "./management/state-repo.js";
import { chatCheck, schedulerCheck, sourcesCheck, storeCheck } from "./ops/checks.js";
import { countingChat } from "./ops/counting-chat.js";
import { registerChatGauges, registerStoreGauges, stepDurationListener } from "./ops/gauges.js";
import { createOpsPart, type OpsPart } from "./ops/ops-part.js";
import { fleetViewFromManagement } from "./orchestration/management-port.js";
import { createRunReporter, type RunReporterOptions } from "./orchestration/presenters/run-reporter.js";
import { createOrchestration, type OrchestrationService } from "./orchestration/service.js";
import { createLifecycle, type Lifecycle, type Part } from "./runtime/lifecycle.js";
import { createAuditRepo } from "./store/audit-repo.js";
import { createStoreHealth, type StoreHealth } from "./store/faults.js";
import { createHeldAudit } from "./store/held-audit.js";
import { openStore, type Store } from "./store/store.js";

/**
 * The composition root: the only place that builds real clients and wires subsystems together.
 * Everything else receives what it needs through `Services` or factory arguments.
 */

/** True when no path was chosen and ./opsbot.yaml (the default) does not exist. */
export function configFileMissing(settings: EnvSettings): boolean {
  return !settings.configPathExplicit && !existsSync(settings.configPath);
}

/**
 * The config file, or — when the default path simply doesn't exist — an empty config. A process in
 * that case answers from the database and never syncs devices (see `configFileMissing`).
 */
export function loadConfig(settings: EnvSettings, env: NodeJS.ProcessEnv = process.env): Config {
  if (configFileMissing(settings)) return emptyConfig();
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

/** Store, services and router: what every mode (console, one-shot, Slack) shares, and their lifecycle. */
export function createCore(options: CoreOptions): Core {
  const store = openStore(options.dbPath);
  setDisplayTimezone(options.config.timezone);
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
  const secrets = [
    ...configSecrets(config),
    ...inventorySecrets(config).map((value) => ({ key: "an inventory profile or the NetBox token", value })),
    ...(options.secrets ?? []).map((value) => ({ key: "the Slack settings (.env)", value })),
  ];
  const names = configuredNames(config);
  for (const warning of weakSecretWarnings(secrets, names)) options.logger.warn(warning);
  const redactor = new Redactor(
    secrets.map((s) => s.value),
    names,
  );
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  const storeHealth = createStoreHealth(() => clock.now());
  reportStoreHealth(storeHealth, options);
  // Audit rows the store refuses (disk full, lock, I/O) wait in memory and are retried.
  const audit = createHeldAudit(createAuditRepo(store), { health: storeHealth, logger });
  const ssh = createLazySshRunner({ logger, clock });
  const metrics = options.metrics ?? createOpsMetrics({ defaultMetrics: false });
  const ops = createOpsPart({ config: config.ops, metrics, logger });
  const backups = createBackupService({ ssh, store, clock, logger, config: config, redactor });
  const fleet = createFleetQueries({ store, clock, baselines: config.firmware_baselines });
  const fleetSources = createFleetSources({ ...options, config, store, clock, metrics });
  // A device the Prometheus source feeds reads its history there (query_range), the rest from the store.
  const { series, history } = createStoreHistory({
    store,
    clock,
    fleet,
    config,
    readerFor: (device) => fleetSources.find((s) => s.owns(device))?.history,
  });
  const poller = options.collector
    ? createPoller({
        // Devices with `ssh.collect` also report drive health over SSH, merged into one observation.
        collector: withSshCollector(options.collector, createSshCollector({ ssh, clock, logger }), clock),
        store,
        clock,
        logger,
        config: config,
        syncDevices: false,
        series,
        health: storeHealth,
        onPolled: (o) => {
          const outcome = !o.reachable ? "unreachable" : o.error ? "partial" : "ok";
          metrics.polls.inc({ outcome });
          metrics.pollSeconds.observe({ outcome }, o.durationMs / 1000);
        },
      })
    : undefined;
  // Only the owner syncs the cache's device list (`run.syncDevices`), never from a missing config.
  const syncDevices = () => {
    const removed = createStateRepo(store).syncDevices(registrationsFromConfig(config), clock.now());
    if (removed.length > 0) logger.warn({ removed }, "devices no longer in the config are marked removed");
  };
  // Without run options (tests, benches) the cache knows every configured device at once, as before.
  if (!options.run) syncDevices();
  const devices = new Map(config.devices.map((d) => [d.name, d]));
  const orchestration = createOrchestration({
    config: config,
    store,
    clock,
    logger,
    chat: options.chat,
    redactor,
    ssh,
    sshTargetFor: (name) => {
      const device = devices.get(name);
      return device?.ssh ? sshTargetFor(device) : undefined;
    },
    // Gates read the device cache through orchestration's narrow port, never a device.
    fleet: fleetViewFromManagement(fleet),
  });
  // Subscribed before orchestration starts, so runs recovered after a restart are reported too.
  const runReporter = createRunReporter({
    orchestration,
    chat: options.chat,
    clock,
    logger,
    ...(options.reporter ? { options: options.reporter } : {}),
  });
  // What the App Home shows changed (runs, approvals, alerts): listeners re-render it.
  const stateListeners = new Set<() => void>();
  const stateChanged = () => {
    for (const l of stateListeners) l();
  };
  orchestration.subscribe((ev) => {
    if (ev.type === "run" || ev.type === "approval") stateChanged();
  });
  orchestration.subscribe(stepDurationListener(metrics));
  const am = options.config.alertmanager
    ? createAlertmanager({
        config: { ...options.config, alertmanager: options.config.alertmanager },
        store,
        chat: options.chat,
        clock,
        logger: options.logger.child({ component: "alertmanager" }),
        metrics,
        ...(options.env ? { env: options.env } : {}),
      })
    : undefined;
  const alerts = createAlertService({
    store,
    clock,
    chat: countingChat(options.chat, metrics.alertDeliveries),
    config: config,
    logger,
    redactor,
    charts: alertChartsFrom(history),
    onChange: stateChanged,
    health: storeHealth,
    digestSections: () => {
      const firing = am?.service.firing(AM_DIGEST_ROWS);
      return firing ? renderAmFiring(firing, clock.now()) : [];
    },
  });
  // A refresh that changed the list: every reader of config.devices sees the new one.
  inventory.onChange((devices) => {
    config.devices = devices;
    for (const secret of configSecrets(config)) redactor.add(secret.value);
    redactor.keep(configuredNames(config));
    if (poller) poller.reload();
    else syncDevices();
    backups.reload();
  });
  const alertmanager = am?.webhook;
  const services: Services = {
    config,
    clock,
    logger,
    audit,
    redactor,
    commands,
    fleet,
    history,
    poller: poller ?? noPoller,
    backups,
    orchestration,
    runReporter,
    alerts,
    alertmanager: am?.service ?? noAlertmanager(),
    inventory,
  };
  if (alertmanager) ops.addRoutes([alertmanager.route]);
  registerStoreGauges(metrics, { store, fleet, clock });
  const adapter = options.run?.adapter;
  if (adapter?.outboxStats) registerChatGauges(metrics, () => adapter.outboxStats!());
  adapter?.watchStore?.(storeHealth);
  ops.addChecks([
    chatCheck(
      options.chatConnection ??
        (adapter?.connection
          ? () => adapter.connection!()
          : () => ({ connected: true, detail: "console chat" })),
    ),
    storeCheck(store, clock, storeHealth),
    schedulerCheck(poller),
    sourcesCheck(store),
  ]);
  const router = createRouter({
    commands,
    actions: options.actions ?? allActions,
    services,
    deps: { audit, clock, logger, redactor, access: options.config },
  });
  const run = options.run;
  const schedules = run?.schedules === true;
  const graceMs = parseDuration(config.orchestration.shutdown_grace) ?? 30_000;
  const collector = options.collector;
  // Start order; stop runs in reverse. `always`: resources held from creation, released by stop()
  // even when start() never ran.
  const parts: (Part & { always?: boolean })[] = [
    {
      name: "store",
      always: true,
      stop: () => {
        audit.close();
        store.close();
      },
    },
    { name: "ssh", always: true, stop: () => ssh.close() },
    ...(collector?.close ? [{ name: "collector", always: true, stop: () => collector.close?.() }] : []),
    ...(run?.owner ? [run.owner] : []),
    ...(run?.adapter ? [{ name: "chat-outbox", process: true, stop: () => run.adapter!.flush() }] : []),
    ...(run?.syncDevices ? [{ name: "device-sync", start: syncDevices }] : []),
    {
      name: "reporter",
      always: true,
      // Runs that ended during the stop get their last message update (bounded: rate limits may delay it).
      stop: async () => {
        if (run) await settleWithin(runReporter.idle(), REPORTER_SETTLE_MS);
        runReporter.close();
      },
    },
    {
      name: "orchestration",
      always: true,
      start: () => {
        if (schedules) orchestration.start();
      },
      stop: async () => {
        await orchestration.drain(graceMs);
      },
    },
    {
      name: "poller",
      always: true,
      start: async () => {
        if (schedules && poller)
          await startPoller(poller, logger, { initialPoll: run?.initialPoll ?? "background" });
      },
      stop: () => poller?.stop(),
    },
    {
      name: "backups",
      always: true,
      start: () => {
        if (schedules) backups.start();
      },
      stop: () => backups.stop(),
    },
    {
      name: "alerts",
      always: true,
      start: () => {
        if (schedules) alerts.start();
      },
      stop: () => alerts.stop(),
    },
    {
      name: "inventory",
      always: true,
      // Devices from NetBox/Ansible: refreshed now and on each source's schedule.
      start: () => {
        if (schedules) inventory.start();
      },
      stop: () => inventory.stop(),
    },
    {
      name: "fleet-sources",
      always: true,
      // Prometheus: like the poller, only where schedules run (the lease-holding owner).
      start: () => {
        if (schedules) for (const source of fleetSources) source.start();
      },
      stop: async () => {
        await Promise.all(fleetSources.map((s) => s.stop()));
      },
    },
    ...(am
      ? [
          {
            name: "alertmanager-silences",
            always: true,
            // An expired silence updates its group's message: only the owner (schedules) watches.
            start: () => {
              if (schedules) am.silenceSync.start(am.syncIntervalMs);
            },
            stop: () => am.silenceSync.stop(),
          },
        ]
      : []),
    ...(schedules && run?.prune ? [run.prune] : []),
    // /healthz, /readyz, /metrics and webhooks, in every long-running mode (Slack's HTTP mode serves
    // the same routes on its own port instead); after the subsystems, so it stops before them.
    ...(run?.ops
      ? [
          {
            name: "ops",
            start: async () => {
              await ops.start();
            },
            stop: () => ops.stop(),
          },
        ]
      : []),
    ...(run?.control ? [run.control] : []),
    ...(run?.adapter
      ? [
          {
            name: "chat",
            process: true,
            start: async () => {
              // Slack's App Home: this core renders it and says when to re-render.
              const home = run.adapter!.serveHome?.((user) => homeView(user, services));
              if (home) stateListeners.add(home.refresh);
              await run.adapter!.start(run.adapterRouter ?? (router as Router));
            },
            stop: () => run.adapter!.stop(),
          },
        ]
      : []),
  ];
  const lifecycle = createLifecycle(logger, parts, (p) => (p as { always?: boolean }).always === true);
  const stop = (o?: { reload?: boolean }) => lifecycle.stop(o);
  return {
    services,
    router,
    store,
    ...(poller ? { poller } : {}),
    ssh,
    backups,
    orchestration,
    alerts,
    metrics,
    ops,
    fleetSources,
    ...(alertmanager ? { alertmanager } : {}),
    ...(am ? { alertmanagerSilences: am.silenceSync } : {}),
    inventory,
    storeHealth,
    lifecycle,
    start: () => lifecycle.start(),
    stop,
    shutdown: () => stop(),
    onStateChange(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    close: () => {
      void ops.stop();
      runReporter.close();
      orchestration.stop();
      for (const s of fleetSources) void s.stop();
      void alerts.stop();
      void inventory.stop();
      void poller?.stop();
      void backups.stop();
      void am?.silenceSync.stop();
      void ssh.close();
      store.close();
    },
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
      // The config object's device list is replaced by an inventory refresh: read it each cycle.
      devices: () => deps.config.devices.filter((d) => d.via === "prometheus"),
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

/** How long a stop waits for the run reporter's last message updates. */
const REPORTER_SETTLE_MS = 5000;
/** Alertmanager groups listed in the daily digest (the count says how many fire in all). */
const AM_DIGEST_ROWS = 20;

async function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => {}), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
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

/**
 * Every configured secret with the key it came from (for weak-secret warnings). Credentials written
 * in the config (after ${VAR} substitution) are secrets too.
 */
export function configSecrets(config: Config): LabelledSecret[] {
  const out: LabelledSecret[] = config.secrets.map((value, i) => ({ key: `secrets[${i}]`, value }));
  config.devices.forEach((d, i) => {
    const at = `devices[${i}] (${d.name})`;
    const add = (key: string, value: string | undefined) => {
      if (typeof value === "string") out.push({ key: `${at}.${key}`, value });
    };
    add("snmp.community", d.snmp?.community);
    add("snmp.v3.auth_key", d.snmp?.v3?.auth_key);
    add("snmp.v3.priv_key", d.snmp?.v3?.priv_key);
    // SSH key passphrases come from the variable the config names.
    const env = d.ssh?.passphrase_env;
    if (env !== undefined) add(`ssh.passphrase_env (${env})`, process.env[env]);
  });
  return out;
}

/** Names redaction must never change: devices, their sites, tags and teams, role members. */
export function configuredNames(config: Config): string[] {
  const names = config.devices.flatMap((d) => [d.name, d.site ?? "", d.team ?? "", ...d.tags]);
  for (const members of Object.values(config.roles)) names.push(...members);
  return [...new Set(names.filter((n) => n.length > 0))];
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
