import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConsoleChat } from "../chat/console/console-chat.js";
import { readSlackSettings } from "../chat/slack/settings.js";
import { loadConfigFile } from "../config/load.js";
import { startDemoFleet } from "../demo/fleet.js";
import { createLogger } from "../lib/logger.js";
import { createCollector, createCore, envSecrets, startSlack } from "../main.js";
import { startPoller } from "../management/start-poller.js";
import { GLOBAL_OPTIONS, parseFlags, type Subcommand, settingsFrom } from "./common.js";

const usage = "opsbot demo [--keep] [--console]";
/** dist/src/cli → package root. */
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export const demo: Subcommand = {
  summary: "Try opsbot with no Slack and no devices: simulated fleet, console chat, throwaway database",
  usage: `${usage}\n\n  --keep          keep the demo's temporary database when you quit\n  --console       stay in the console even when Slack tokens are set\n  -h, --help      show this help`,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      { help: GLOBAL_OPTIONS.help, keep: { type: "boolean" }, console: { type: "boolean" } },
      usage,
    );
    if (values.help) {
      process.stdout.write(`Usage: ${this.usage}\n`);
      return 0;
    }
    const env = settingsFrom({}); // reads .env, where Slack tokens usually live
    const slack = values.console ? undefined : readSlackSettings(process.env);
    const dir = mkdtempSync(join(tmpdir(), "opsbot-demo-"));
    const logger = createLogger({ level: process.env.OPSBOT_LOG_LEVEL ?? "warn" });
    const fleet = await startDemoFleet(loadConfigFile(join(packageRoot, "demo", "opsbot.demo.yaml")));
    // The example runbooks ship with the package: found wherever the demo is started from.
    const config = {
      ...fleet.config,
      orchestration: { ...fleet.config.orchestration, runbooks_dir: join(packageRoot, "runbooks") },
    };
    const collector = createCollector({ logger });
    if (slack) {
      const runtime = await startSlack({
        settings: slack,
        config,
        dbPath: join(dir, "opsbot.db"),
        logger,
        secrets: envSecrets(env),
        collector,
      });
      await startPoller(runtime.core.poller!, logger, { initialPoll: "wait" });
      process.stderr.write(
        "opsbot demo is running in Slack: try `/ops help` or DM the bot. Roles in the demo config name console " +
          "users; add your Slack user id (U…) under roles in demo/opsbot.demo.yaml to try admin commands. Ctrl-C stops it.\n",
      );
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      });
      await runtime.core.poller?.stop();
      await runtime.stop();
      await collector.close();
      await fleet.stop();
      if (!values.keep) rmSync(dir, { recursive: true, force: true });
      return 0;
    }
    const chat = new ConsoleChat({
      config,
      userName: config.console.user ?? "alice",
      channel: config.console.channel,
      write: (t) => process.stdout.write(t),
      color: process.stdout.isTTY === true,
    });
    const core = createCore({ config, dbPath: join(dir, "opsbot.db"), logger, chat, collector });
    chat.attach(core.router);
    // The first poll round completes before the prompt, so the first answers already have data.
    await core.ops.start();
    await startPoller(core.poller!, logger, { initialPoll: "wait" });
    // Recover runs a crash interrupted, expire stale approvals, watch the runbooks directory.
    core.services.orchestration?.start();
    // Alerts about what the first poll found go to the console as messages in their channels.
    core.alerts.start();
    const cleanup = async () => {
      await core.shutdown();
      await collector.close();
      await fleet.stop();
      if (!values.keep) rmSync(dir, { recursive: true, force: true });
    };
    process.once("SIGINT", () => {
      void cleanup().finally(() => process.exit(0));
    });
    const interactive = process.stdin.isTTY === true;
    process.stdout.write(
      [
        `opsbot demo — console chat, throwaway database${values.keep ? ` (kept in ${dir})` : ""}`,
        `Simulated fleet on loopback: ${config.devices.map((d) => d.name).join(", ")}.`,
        `You are ${chat.currentUser.name}. Try: fleet · links down · links core-sw1 · drives failing · firmware drift ·`,
        "device db01 · alerts · backup now core-sw1 · runbooks · run service-restart host=web01 service=nginx ·",
        "then `as bob` and `approve 1` · help · as carol (no roles)",
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
