import { existsSync } from "node:fs";
import type { EnvSettings } from "../config/env.js";
import { emptyConfig, loadConfigFile } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { type Clock, systemClock } from "../lib/clock.js";
import type { Logger } from "../lib/logger.js";
import type { SnmpCollector } from "../management/collectors/snmp/index.js";
import { createLazySnmpCollector } from "../management/collectors/snmp/lazy.js";

/**
 * What every mode reads before it builds a core: the config, the collector, the environment's
 * secrets. Kept apart from the composition root (src/main.ts) so a one-shot command can use them
 * without loading every subsystem.
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

/** The real device collector: SNMP through net-snmp. Close it after the poller has stopped. */
export function createCollector(deps: { logger: Logger; clock?: Clock }): SnmpCollector {
  // net-snmp loads on the first poll: one-shot commands that never poll start faster.
  return createLazySnmpCollector({ logger: deps.logger, clock: deps.clock ?? systemClock });
}

export function envSecrets(settings: EnvSettings): string[] {
  return [settings.slack.botToken, settings.slack.appToken, settings.slack.signingSecret].filter(
    (s): s is string => s !== undefined,
  );
}
