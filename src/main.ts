import { existsSync } from "node:fs";
import { actions as allActions, commands as allCommands } from "../commands/index.js";
import type { ActionSpec, CommandSpec, Services } from "./chat/command.js";
import type { ChatPort } from "./chat/port.js";
import { createRouter, type Router } from "./chat/router.js";
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
