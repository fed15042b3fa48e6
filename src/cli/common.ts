import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { userInfo } from "node:os";
import { resolve } from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { type EnvSettings, readEnv } from "../config/env.js";
import { OpsbotError, toOpsbotError } from "../lib/errors.js";

export interface Subcommand {
  summary: string;
  usage: string;
  /** Returns the process exit code. */
  run(argv: string[]): Promise<number>;
  /**
   * Long-running modes: exit as soon as run() returns, even if something (a detached step's child
   * process, a socket) would keep the event loop alive. Their stop already closed what matters.
   */
  exitWhenDone?: boolean;
}

export const GLOBAL_OPTIONS = {
  config: { type: "string" },
  db: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

export const GLOBAL_HELP = `  --config FILE   config file (default $OPSBOT_CONFIG or ./opsbot.yaml)
  --db FILE       SQLite database (default $OPSBOT_DB or ./data/opsbot.db)
  -h, --help      show this help`;

/** Parses a subcommand's flags; unknown flags become a clear usage error, not a stack trace. */
export function parseFlags<O extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: O,
  usage: string,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new OpsbotError("USAGE", `${(err as Error).message.split("\n")[0]}\nUsage: ${usage}`);
  }
}

/** Reads `.env` (quietly; the environment wins) and applies --config / --db. */
export function settingsFrom(flags: { config?: string | undefined; db?: string | undefined }): EnvSettings {
  loadDotenv();
  return readEnv(process.env, {
    ...(flags.config === undefined ? {} : { config: flags.config }),
    ...(flags.db === undefined ? {} : { db: flags.db }),
  });
}

/**
 * dotenv's `config()`: `.env` in the working directory, or the encrypted `.env.vault` when DOTENV_KEY
 * is set. Required only then — dotenv loads node:crypto (for the vault), ~10 ms of a cold start that
 * has no `.env` to read.
 */
function loadDotenv(): void {
  if (!existsSync(resolve(".env")) && !process.env.DOTENV_KEY) return;
  const dotenv = createRequire(import.meta.url)("dotenv") as typeof import("dotenv");
  dotenv.config({ quiet: true });
}

export function consoleUserName(configured: string | undefined): string {
  const fromEnv = process.env.OPSBOT_USER?.trim();
  if (fromEnv) return fromEnv;
  if (configured) return configured;
  try {
    return userInfo().username;
  } catch {
    return "operator";
  }
}

/** The CLI's error boundary: one sentence (plus details) on stderr, exit 1 for user errors, 2 otherwise. */
export function reportCliError(err: unknown): number {
  const e = toOpsbotError(err);
  process.stderr.write(`opsbot: ${e.message}\n${e.details.map((d) => `  - ${d}\n`).join("")}`);
  if (e.code === "INTERNAL" && process.env.OPSBOT_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
  return e.code === "USAGE" ? 1 : 2;
}

/** No opsbot.yaml at the default path: say so, once, where the user will see it. */
export function warnNoConfig(settings: EnvSettings): void {
  process.stderr.write(
    `opsbot: warning: no config file at ${settings.configPath}; answering from the database ${settings.dbPath} as it is, without touching its device list. Pass --config FILE or set OPSBOT_CONFIG.\n`,
  );
}
