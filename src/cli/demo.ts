import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConsoleChat } from "../chat/console/console-chat.js";
import { consoleLog } from "../chat/console/console-log.js";
import { readSlackSettings } from "../chat/slack/settings.js";
import { loadConfigFile } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { startDemoFleet } from "../demo/fleet.js";
import { createLogger } from "../lib/logger.js";
import { createOpsMetrics } from "../lib/ops/metrics.js";
import { type Core, createCollector, createCore, envSecrets } from "../main.js";
import { runBot } from "../runtime/bot.js";
import { botAdapter } from "./bot-adapter.js";
import { GLOBAL_OPTIONS, parseFlags, type Subcommand, settingsFrom } from "./common.js";
import { onFatalStop } from "./crash-guard.js";

const usage = "opsbot demo [--keep] [--console] [--log-stderr]";
/** dist/src/cli (tsc) or dist/src/cli-chunks (the bundled command) → package root. */
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export const demo: Subcommand = {
  summary: "Try opsbot with no Slack and no devices: simulated fleet, console chat, throwaway database",
  usage: `${usage}\n\n  --keep          keep the demo's temporary database when you quit\n  --console       stay in the console even when Slack tokens are set\n  --log-stderr    in the console, log to stderr instead of a file\n  -h, --help      show this help`,
  exitWhenDone: true,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        help: GLOBAL_OPTIONS.help,
        keep: { type: "boolean" },
        console: { type: "boolean" },
        "log-stderr": { type: "boolean" },
      },
      usage,
    );
    if (values.help) {
      process.stdout.write(`Usage: ${this.usage}\n`);
      return 0;
    }
    const env = settingsFrom({}); // reads .env, where Slack tokens usually live
    const slack = values.console ? undefined : readSlackSettings(process.env);
    const dir = mkdtempSync(join(tmpdir(), "opsbot-demo-"));
    const dbPath = join(dir, "opsbot.db");
    // In the console the chat owns the terminal: logs go to a file unless --log-stderr.
    const log = slack
      ? undefined
      : consoleLog({
          logStderr: values["log-stderr"] === true,
          path: join(dir, "..", `${basename(dir)}.log`),
        });
    const logger = createLogger({
      level: process.env.OPSBOT_LOG_LEVEL ?? "warn",
      ...(log?.destination ? { destination: log.destination } : {}),
    });
    const fleet = await startDemoFleet(loadConfigFile(join(packageRoot, "demo", "opsbot.demo.yaml")));
    try {
      // The example runbooks ship with the package: found wherever the demo is started from.
      const config: Config = {
        ...fleet.config,
        orchestration: { ...fleet.config.orchestration, runbooks_dir: join(packageRoot, "runbooks") },
      };
      const interactive = process.stdin.isTTY === true;
      const chat = slack
        ? undefined
        : new ConsoleChat({
            config,
            userName: config.console.user ?? "alice",
            channel: config.console.channel,
            write: (t) => process.stdout.write(t),
            color: process.stdout.isTTY === true,
          });
      let current: Core | undefined;
      const adapter = await botAdapter({ slack, chat, config, logger, dbPath, current: () => current });
      return await runBot({
        mode: "demo",
        dbPath,
        logger,
        adapter,
        loadConfig: () => config,
        reloadable: false,
        configMissing: false,
        // The first poll round completes before the prompt, so the first answers already have data.
        initialPoll: "wait",
        ...(chat ? { fallbackAdminChannel: config.console.channel } : {}),
        registerStop: onFatalStop,
        opsListener: slack?.mode !== "http",
        createCore: (c, run) => {
          current = createCore({
            config: c,
            dbPath,
            logger,
            chat: adapter.port,
            secrets: envSecrets(env),
            collector: createCollector({ logger }),
            metrics: createOpsMetrics(),
            run,
          });
          return current;
        },
        onStarted: () => {
          if (slack) {
            process.stderr.write(
              "opsbot demo is running in Slack: try `/ops help` or DM the bot. Roles in the demo config name console " +
                "users; add your Slack user id (U…) under roles in demo/opsbot.demo.yaml to try admin commands. Ctrl-C stops it.\n",
            );
            return;
          }
          process.stdout.write(
            [
              `opsbot demo — console chat, throwaway database${values.keep ? ` (kept in ${dir})` : ""}`,
              `Simulated fleet on loopback: ${config.devices.map((d) => d.name).join(", ")}.`,
              `You are ${chat!.currentUser.name}. Try: fleet · links down · links core-sw1 · drives failing · firmware drift ·`,
              "device db01 · alerts · backup now core-sw1 · runbooks · run service-restart host=web01 service=nginx ·",
              "then `as bob` and `approve 1` · help · as carol (no roles)",
              interactive ? "Type `quit` or press Ctrl-D to leave." : "Reading commands from standard input.",
              log?.note ?? "",
              "",
            ].join("\n"),
          );
        },
      });
    } finally {
      await fleet.stop();
      if (!values.keep) rmSync(dir, { recursive: true, force: true });
    }
  },
};
