import { existsSync } from "node:fs";
import { actions as allActions, commands as allCommands } from "../commands/index.js";
import type { ActionSpec, CommandSpec, Services } from "./chat/command.js";
import type { ChatPort } from "./chat/port.js";
import { createRouter, type Router } from "./chat/router.js";
import type { SlackSettings } from "./chat/slack/settings.js";
import type { EnvSettings } from "./config/env.js";
import { loadConfigFile, parseConfig } from "./config/load.js";
import type { Config } from "./config/schema.js";
import { type Clock, systemClock } from "./lib/clock.js";
import type { Logger } from "./lib/logger.js";
import { Redactor } from "./lib/redact.js";
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
  const services: Services = {
    config: options.config,
    store,
    clock: options.clock ?? systemClock,
    logger: options.logger,
    chat: options.chat,
    audit: createAuditRepo(store),
    redactor,
    commands,
  };
  const router = createRouter({ commands, actions: options.actions ?? allActions, services });
  return { services, router, store, close: () => store.close() };
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
    await slack.start(core.router);
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
