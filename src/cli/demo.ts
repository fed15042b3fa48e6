import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConsoleChat } from "../chat/console/console-chat.js";
import { loadConfigFile } from "../config/load.js";
import { createLogger } from "../lib/logger.js";
import { createCore, startDemoFleet } from "../main.js";
import { startManagement } from "../management/start.js";
import { GLOBAL_OPTIONS, parseFlags, type Subcommand } from "./common.js";

const usage = "opsbot demo [--keep]";
/** dist/src/cli → package root. */
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export const demo: Subcommand = {
  summary: "Try opsbot with no Slack and no devices: simulated fleet, console chat, throwaway database",
  usage: `${usage}\n\n  --keep          keep the demo's temporary database when you quit\n  -h, --help      show this help`,
  async run(argv) {
    const { values } = parseFlags(argv, { help: GLOBAL_OPTIONS.help, keep: { type: "boolean" } }, usage);
    if (values.help) {
      process.stdout.write(`Usage: ${this.usage}\n`);
      return 0;
    }
    const dir = mkdtempSync(join(tmpdir(), "opsbot-demo-"));
    const config = loadConfigFile(join(packageRoot, "demo", "opsbot.demo.yaml"));
    const logger = createLogger({ level: process.env.OPSBOT_LOG_LEVEL ?? "warn" });
    const chat = new ConsoleChat({
      config,
      userName: config.console.user ?? "alice",
      channel: config.console.channel,
      write: (t) => process.stdout.write(t),
      color: process.stdout.isTTY === true,
    });
    // Simulated switches and a server on loopback, polled for real; first round done before the prompt.
    const demoFleet = await startDemoFleet(config, logger);
    const core = createCore({
      config: demoFleet.config,
      dbPath: join(dir, "opsbot.db"),
      logger,
      chat,
      collector: demoFleet.collector,
    });
    chat.attach(core.router);
    await startManagement(core.poller!, logger, { initialPoll: "wait" });
    const cleanup = async () => {
      await core.shutdown();
      await demoFleet.stop();
      if (!values.keep) rmSync(dir, { recursive: true, force: true });
    };
    process.once("SIGINT", () => {
      void cleanup().finally(() => process.exit(0));
    });
    const interactive = process.stdin.isTTY === true;
    process.stdout.write(
      [
        `opsbot demo — console chat, throwaway database${values.keep ? ` (kept in ${dir})` : ""}`,
        `You are ${chat.currentUser.name}. Try: help · whoami · as bob · as carol · audit`,
        "Fleet: fleet · links down · links core-sw1 · drives failing · firmware drift · device db01 · refresh core-sw1",
        interactive ? "Type `quit` or press Ctrl-D to leave." : "Reading commands from standard input.",
        "",
      ].join("\n"),
    );
    try {
      await chat.runInteractive(process.stdin, process.stdout, interactive);
    } finally {
      await cleanup();
    }
    return 0;
  },
};
