import { existsSync } from "node:fs";
import { actions as allActions, commands as allCommands } from "../commands/index.js";
import type { ActionSpec, CommandSpec, Services } from "./chat/command.js";
import type { ChatPort } from "./chat/port.js";
import { createRouter, type Router } from "./chat/router.js";
import { createRunReporter, type RunReporterOptions } from "./chat/run-reporter/reporter.js";
import { createSlackApp } from "./chat/slack/app.js";
import type { SlackSettings } from "./chat/slack/settings.js";
import type { EnvSettings } from "./config/env.js";
import { loadConfigFile, parseConfig } from "./config/load.js";
import type { Config } from "./config/schema.js";
import { type Clock, systemClock } from "./lib/clock.js";
import type { Logger } from "./lib/logger.js";
import { Redactor } from "./lib/redact.js";
import { createSshRunner, sshTargetFor } from "./lib/ssh/index.js";
import type { SshRunner } from "./lib/ssh/types.js";
import { createFleetQueries } from "./management/fleet-queries.js";
import { type FleetView, fleetViewFromManagement } from "./orchestration/fleet-view.js";
import { findParent, readStepLog, recordParent } from "./orchestration/progress/report-refs.js";
import { createOrchestration } from "./orchestration/service.js";
import { createAuditRepo } from "./store/audit-repo.js";
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
  router: Router;
  store: Store;
  close(): void;
}

export interface CoreOptions {
  config: Config;
  dbPath: string;
  logger: Logger;
  chat: ChatPort;
  clock?: Clock;
  commands?: readonly CommandSpec[];
  actions?: readonly ActionSpec[];
  /** Secrets from the environment that must never be echoed (Slack tokens…). */
  secrets?: string[];
  /** SSH for runbook steps; default: the pinned-host-key runner. */
  ssh?: SshRunner;
  /** Management state for runbook gates; default: the device cache in the store. */
  fleet?: FleetView;
  /** Pacing of run messages (parent updates, output chunks); tests and benches tune it. */
  reporter?: RunReporterOptions;
}

/** Store, services and router: what every mode (console, one-shot, Slack) shares. */
export function createCore(options: CoreOptions): Core {
  const store = openStore(options.dbPath);
  const commands = options.commands ?? allCommands;
  const redactor = new Redactor([
    ...options.config.secrets,
    ...(options.secrets ?? []),
    ...configSecrets(options.config),
  ]);
  const clock = options.clock ?? systemClock;
  const ssh = options.ssh ?? createSshRunner({ logger: options.logger, clock });
  const devices = new Map(options.config.devices.map((d) => [d.name, d]));
  const orchestration = createOrchestration({
    config: options.config,
    store,
    clock,
    logger: options.logger,
    chat: options.chat,
    redactor,
    ssh,
    sshTargetFor: (name) => {
      const device = devices.get(name);
      return device?.ssh ? sshTargetFor(device) : undefined;
    },
    // Gates read the device cache through orchestration's narrow port, never a device.
    fleet:
      options.fleet ??
      fleetViewFromManagement(
        createFleetQueries({ store, clock, baselines: options.config.firmware_baselines }),
      ),
  });
  // Subscribed before orchestration starts, so runs recovered after a restart are reported too.
  const runReporter = createRunReporter({
    orchestration,
    chat: options.chat,
    clock,
    logger: options.logger,
    parents: {
      find: (runId) => findParent(store, runId),
      record: (runId, ref) => recordParent(store, runId, ref, clock.now()),
    },
    stepLog: (runId, key) => readStepLog(store, runId, key),
    ...(options.reporter ? { options: options.reporter } : {}),
  });
  const services: Services = {
    config: options.config,
    store,
    clock,
    logger: options.logger,
    chat: options.chat,
    audit: createAuditRepo(store),
    redactor,
    commands,
    orchestration,
    runReporter,
  };
  const router = createRouter({ commands, actions: options.actions ?? allActions, services });
  return {
    services,
    router,
    store,
    close: () => {
      runReporter.close();
      orchestration.stop();
      void ssh.close();
      store.close();
    },
  };
}

/** Credentials written in the config (after ${VAR} substitution) are secrets too. */
function configSecrets(config: Config): string[] {
  return config.devices
    .flatMap((d) => [d.snmp?.community, d.snmp?.v3?.auth_key, d.snmp?.v3?.priv_key])
    .filter((s): s is string => typeof s === "string");
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
  const slack = createSlackApp({
    settings: options.settings,
    config: options.config,
    clock,
    logger: options.logger,
  });
  const core = createCore({ ...options, clock, chat: slack.chat });
  try {
    await slack.start(core.router);
    // Recover runs a crash interrupted (their threads get Resume / Abort), expire stale approvals.
    core.services.orchestration?.start();
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
