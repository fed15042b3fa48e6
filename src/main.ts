import { existsSync } from "node:fs";
import { homeView } from "../commands/app-home.js";
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
import { type Clock, systemClock } from "./lib/clock.js";
import type { Logger } from "./lib/logger.js";
import { Redactor } from "./lib/redact.js";
import { createLazySshRunner } from "./lib/ssh/lazy-runner.js";
import type { PooledSshRunner } from "./lib/ssh/runner.js";
import { sshTargetFor } from "./lib/ssh/target.js";
import { setDisplayTimezone } from "./lib/time-format.js";
import { type LabelledSecret, weakSecretWarnings } from "./lib/weak-secrets.js";
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
import { createStateRepo } from "./management/state-repo.js";
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
  /** Devices from NetBox/Ansible merged with the YAML; long-running modes call `inventory.start()`. */
  inventory: InventoryService;
  /** Whether the store takes writes, as the retrying writers see it (for /readyz and the admin notice). */
  storeHealth: StoreHealth;
  /** Stops the poller and backups (waiting for those in flight), closes SSH connections and the store. */
  shutdown(): Promise<void>;
  /** Closes at once; a poll still running is abandoned (its transaction never commits). */
  close(): void;
  /** Called when what the App Home shows may have changed: runs, approvals, alerts. Returns unsubscribe. */
  onStateChange(listener: () => void): () => void;
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
  /** Inventory sources; default those the config names (tests pass their own timers through these). */
  inventorySources?: InventorySource[];
}

/** Store, services and router: what every mode (console, one-shot, Slack) shares. */
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
  const audit = createAuditRepo(store);
  const ssh = createLazySshRunner({ logger: options.logger, clock });
  const backups = createBackupService({
    ssh,
    store,
    clock,
    logger: options.logger,
    config,
    redactor,
  });
  const fleet = createFleetQueries({ store, clock, baselines: config.firmware_baselines });
  // The Prometheus source (its own issue) plugs in here: a reader that sends its devices to query_range.
  const { series, history } = createStoreHistory({ store, clock, fleet, config });
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
        series,
      })
    : undefined;
  // The one place the device cache is synced to the desired list outside the poller.
  const syncCache = () => createStateRepo(store).syncDevices(registrationsFromConfig(config));
  if (!poller) syncCache();

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
  const stateListeners = new Set<() => void>();
  orchestration.subscribe((ev) => {
    if (ev.type === "run" || ev.type === "approval") for (const l of stateListeners) l();
  });
  const alerts = createAlertService({
    store,
    clock,
    chat: options.chat,
    config,
    logger: options.logger,
    redactor,
    charts: alertChartsFrom(history),
    onChange: () => {
      for (const l of stateListeners) l();
    },
  });
  // A refresh that changed the list: every reader of config.devices sees the new one.
  inventory.onChange((devices) => {
    config.devices = devices;
    for (const secret of configSecrets(config)) redactor.add(secret.value);
    redactor.keep(configuredNames(config));
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
    history,
    poller: poller ?? noPoller,
    backups,
    orchestration,
    runReporter,
    alerts,
    inventory,
  };
  const router = createRouter({
    commands,
    actions: options.actions ?? allActions,
    services,
    deps: { audit, clock, logger: options.logger, redactor },
  });
  const close = () => {
    runReporter.close();
    orchestration.stop();
    void alerts.stop();
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
    inventory,
    shutdown: async () => {
      runReporter.close();
      orchestration.stop();
      await Promise.all([poller?.stop(), backups.stop(), alerts.stop(), inventory.stop()]);
      await ssh.close();
      store.close();
    },
    close,
    onStateChange(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
  };
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
function configSecrets(config: Config): LabelledSecret[] {
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
function configuredNames(config: Config): string[] {
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
  const slack = createSlackApp({
    settings: options.settings,
    config: options.config,
    clock,
    logger: options.logger,
  });
  const core = createCore({ ...options, clock, chat: slack.chat });
  try {
    await slack.start(core.router, {
      deliveries: createStoredDeliveries(core.store, options.logger),
      home: (user) => homeView(user, core.services),
    });
    core.onStateChange(() => slack.refreshHome());
  } catch (err) {
    await slack.stop(0).catch(() => {});
    core.close();
    throw err;
  }
  return {
    core,
    async stop() {
      await slack.stop();
      core.close();
    },
  };
}
