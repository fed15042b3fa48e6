import { dirname, join } from "node:path";
import { ConsoleChat } from "../chat/console/console-chat.js";
import { consoleLog } from "../chat/console/console-log.js";
import { readSlackSettings } from "../chat/slack/settings.js";
import { createLogger } from "../lib/logger.js";
import { createOpsMetrics } from "../lib/ops/metrics.js";
import {
  type Core,
  configFileMissing,
  createCollector,
  createCore,
  envSecrets,
  loadConfig,
} from "../main.js";
import { runBot } from "../runtime/bot.js";
import { botAdapter } from "./bot-adapter.js";
import {
  consoleUserName,
  GLOBAL_HELP,
  GLOBAL_OPTIONS,
  parseFlags,
  type Subcommand,
  settingsFrom,
  warnNoConfig,
} from "./common.js";
import { onFatalStop } from "./crash-guard.js";

const usage = "opsbot start [--console] [--wait] [--log-stderr] [--config FILE] [--db FILE]";

export const start: Subcommand = {
  summary: "Run the bot: Slack when SLACK_* tokens are set, otherwise a console chat",
  usage: `${usage}

  --console       use the console chat even when Slack tokens are set
  --wait          when another opsbot owns the database, wait and take over once it stops or goes
                  stale (owner.stale_after) instead of exiting 1
  --log-stderr    in the console, log to stderr instead of a file next to the database
${GLOBAL_HELP}

One opsbot owns a database: it polls, runs backups, executes runs, delivers alerts, prunes and keeps
the device list in step with the config. It listens on a control socket (owner.socket, default the
database path + ".sock") where \`opsbot ask\` sends commands. Ctrl-C, SIGTERM or \`quit\` stop it
gracefully (running steps get orchestration.shutdown_grace); SIGHUP re-reads the config.`,
  exitWhenDone: true,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        ...GLOBAL_OPTIONS,
        console: { type: "boolean" },
        wait: { type: "boolean" },
        "log-stderr": { type: "boolean" },
      },
      usage,
    );
    if (values.help) {
      process.stdout.write(`Usage: ${this.usage}\n`);
      return 0;
    }
    const settings = settingsFrom(values);
    const configMissing = configFileMissing(settings);
    if (configMissing) warnNoConfig(settings);
    const config = loadConfig(settings);
    const slack = values.console ? undefined : readSlackSettings(process.env);
    // In the console the chat owns the terminal: logs go to a file unless --log-stderr.
    const log = slack
      ? undefined
      : consoleLog({
          logStderr: values["log-stderr"] === true,
          path: join(dirname(settings.dbPath), "opsbot.log"),
        });
    const logger = createLogger({
      level: settings.logLevel,
      ...(log?.destination ? { destination: log.destination } : {}),
    });
    const chat = slack
      ? undefined
      : new ConsoleChat({
          config,
          userName: consoleUserName(config.console.user),
          channel: config.console.channel,
          write: (t) => process.stdout.write(t),
          color: process.stdout.isTTY === true,
        });
    // One metrics registry for the process: the cores a config reload builds share it.
    const metrics = createOpsMetrics();
    let current: Core | undefined;
    const adapter = await botAdapter({
      slack,
      chat,
      config,
      logger,
      dbPath: settings.dbPath,
      current: () => current,
    });
    return runBot({
      mode: "start",
      dbPath: settings.dbPath,
      logger,
      adapter,
      loadConfig: () => loadConfig(settings),
      reloadable: true,
      configMissing,
      ...(values.wait ? { wait: true } : {}),
      ...(chat ? { fallbackAdminChannel: config.console.channel } : {}),
      registerStop: onFatalStop,
      // Slack's HTTP mode serves /healthz, /readyz, /metrics and the webhooks on Slack's port.
      opsListener: slack?.mode !== "http",
      createCore: (c, run) => {
        current = createCore({
          config: c,
          dbPath: settings.dbPath,
          logger,
          chat: adapter.port,
          secrets: envSecrets(settings),
          collector: createCollector({ logger }),
          metrics,
          run,
        });
        return current;
      },
      onStarted: () => {
        if (slack) {
          process.stderr.write(
            `opsbot is running in Slack (${slack.mode === "socket" ? "Socket Mode" : `HTTP mode on port ${slack.port}`}). Ctrl-C stops it.\n`,
          );
        } else {
          process.stdout.write(
            `opsbot console — you are ${chat!.currentUser.name}. Type \`help\`, \`as <user>\` to switch, \`quit\` to leave.\n${log?.note ?? ""}\n`,
          );
        }
      },
    });
  },
};
