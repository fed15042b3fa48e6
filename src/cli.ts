#!/usr/bin/env node
import { ask } from "./cli/ask.js";
import { reportCliError, type Subcommand } from "./cli/common.js";
import { demo } from "./cli/demo.js";
import { poll } from "./cli/poll.js";
import { sshKeyscan } from "./cli/ssh-keyscan.js";
import { start } from "./cli/start.js";

/** The `opsbot` command. Each subcommand lives in src/cli/ and has its own --help. */
const subcommands: Record<string, Subcommand> = { start, demo, ask, poll, "ssh-keyscan": sshKeyscan };

function overview(): string {
  const width = Math.max(...Object.keys(subcommands).map((k) => k.length));
  return [
    "Usage: opsbot <command> [options]",
    "",
    ...Object.entries(subcommands).map(([name, s]) => `  ${name.padEnd(width)}  ${s.summary}`),
    "",
    "Run `opsbot <command> --help` for a command's options.",
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${overview()}\n`);
    return name === undefined ? 1 : 0;
  }
  const sub = subcommands[name];
  if (!sub) {
    process.stderr.write(`opsbot: unknown command "${name}".\n\n${overview()}\n`);
    return 1;
  }
  try {
    return await sub.run(rest);
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
