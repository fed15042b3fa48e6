#!/usr/bin/env node
import * as nodeModule from "node:module";
import { reportCliError, type Subcommand } from "./cli/common.js";
import { installCrashGuards } from "./cli/crash-guard.js";

/**
 * The `opsbot` command. Each subcommand lives in src/cli/ and has its own --help. Modules load only
 * when their subcommand runs, so `opsbot ask` never pays for Bolt, ssh2 or the demo's simulators.
 */
const subcommands: Record<string, { summary: string; load: () => Promise<Subcommand> }> = {
  start: {
    summary: "Run the bot: Slack when SLACK_* tokens are set, otherwise a console chat",
    load: async () => (await import("./cli/start.js")).start,
  },
  demo: {
    summary: "Try opsbot with no Slack and no devices: simulated fleet, console chat, throwaway database",
    load: async () => (await import("./cli/demo.js")).demo,
  },
  ask: {
    summary: "Run one chat command and print the reply (exit 1 on a user error)",
    load: async () => (await import("./cli/ask.js")).ask,
  },
  poll: {
    summary: "Poll devices into the cache: once (--once), or on their schedules until stopped",
    load: async () => (await import("./cli/poll.js")).poll,
  },
  prune: {
    summary: "Delete stored history past its retention; --dry-run shows what would go",
    load: async () => (await import("./cli/prune.js")).prune_,
  },
  "ssh-keyscan": {
    summary: "Print a host's SSH host key line to pin in the config, with its fingerprint",
    load: async () => (await import("./cli/ssh-keyscan.js")).sshKeyscan,
  },
  inventory: {
    summary: "Where devices come from: check profiles, diff or refresh NetBox/Ansible sources",
    load: async () => (await import("./cli/inventory.js")).inventory,
  },
  runbook: {
    summary: "Validate or list runbooks, or print their JSON Schema",
    load: async () => (await import("./cli/runbook.js")).runbook,
  },
  audit: {
    summary: "Export the audit log as JSON Lines (for a SIEM)",
    load: async () => (await import("./cli/audit.js")).audit,
  },
};

function overview(): string {
  const width = Math.max(...Object.keys(subcommands).map((k) => k.length));
  return [
    "Usage: opsbot <command> [options]",
    "",
    ...Object.entries(subcommands).map(([name, s]) => `  ${name.padEnd(width)}  ${s.summary}`),
    "",
    "Run `opsbot <command> --help` for a command's options; `opsbot --version` prints the version.",
  ].join("\n");
}

/** The version in package.json (two levels up from dist/src/cli.js, one from src/cli.ts). */
async function readVersion(): Promise<string> {
  const { readFileSync } = await import("node:fs");
  for (const rel of ["../../package.json", "../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "opsbot" && pkg.version) return pkg.version;
    } catch {
      // not this one
    }
  }
  return "unknown";
}

/**
 * Node 22.1+ keeps V8's compiled code of every module loaded from here on in a cache directory, so
 * the next start skips most of the parsing and compiling (the largest share of a cold start). Node
 * 20 has no such cache: feature-detected, and NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
function enableCompileCache(): void {
  const { enableCompileCache: enable } = nodeModule as { enableCompileCache?: () => unknown };
  try {
    enable?.();
  } catch {
    // An unwritable cache directory only costs the speed-up.
  }
}

async function main(argv: string[]): Promise<number> {
  enableCompileCache();
  installCrashGuards();
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${overview()}\n`);
    return name === undefined ? 1 : 0;
  }
  if (name === "--version" || name === "-V" || name === "version") {
    process.stdout.write(`opsbot ${await readVersion()}\n`);
    return 0;
  }
  const sub = subcommands[name];
  if (!sub) {
    process.stderr.write(`opsbot: unknown command "${name}".\n\n${overview()}\n`);
    return 1;
  }
  try {
    const command = await sub.load();
    const code = await command.run(rest);
    if (command.exitWhenDone) process.exit(code);
    return code;
  } catch (err) {
    return reportCliError(err);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.exitCode = reportCliError(err);
  },
);
