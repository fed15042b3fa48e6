import { ConsoleChat } from "../chat/console/console-chat.js";
import { readSlackSettings } from "../chat/slack/settings.js";
import { createLogger } from "../lib/logger.js";
import { createOpsMetrics } from "../lib/ops/metrics.js";
import { type Core, createCollector, createCore, envSecrets, loadConfig, startSlack } from "../main.js";
import { startPoller } from "../management/start-poller.js";
import {
  consoleUserName,
  GLOBAL_HELP,
  GLOBAL_OPTIONS,
  parseFlags,
  type Subcommand,
  settingsFrom,
} from "./common.js";

const usage = "opsbot start [--console] [--config FILE] [--db FILE]";

export const start: Subcommand = {
  summary: "Run the bot: Slack when SLACK_* tokens are set, otherwise a console chat",
  usage: `${usage}\n\n  --console       use the console chat even when Slack tokens are set\n${GLOBAL_HELP}`,
  async run(argv) {
    const { values } = parseFlags(argv, { ...GLOBAL_OPTIONS, console: { type: "boolean" } }, usage);
    if (values.help) {
      process.stdout.write(`Usage: ${this.usage}\n`);
      return 0;
    }
    const settings = settingsFrom(values);
    const config = loadConfig(settings);
    const logger = createLogger({ level: settings.logLevel });
    const slack = values.console ? undefined : readSlackSettings(process.env);
    const collector = createCollector({ logger });
    // Management runs in the background whatever the chat: polling (SNMP + SSH), nightly backups and the alert engine.
    const startBackground = async (core: Core, ownListener = true) => {
      // /healthz, /readyz, /metrics (and webhooks); Slack's HTTP mode serves them on its own port.
      if (ownListener) await core.ops.start();
      await startPoller(core.poller!, logger, { initialPoll: "background" });
      for (const source of core.fleetSources) source.start();
      core.backups.start();
      // Orchestration: recover runs a crash interrupted, expire stale approvals, watch the runbooks.
      core.services.orchestration?.start();
      core.alerts.start();
      // Devices from NetBox/Ansible: refreshed now and on each source's schedule.
      core.inventory.start();
    };
    if (slack) {
      const runtime = await startSlack({
        settings: slack,
        config,
        dbPath: settings.dbPath,
        logger,
        secrets: envSecrets(settings),
        collector,
        metrics: createOpsMetrics(),
      });
      // Connected: say so before the background parts start (they take their time and log their own way).
      process.stderr.write(
        `opsbot is running in Slack (${slack.mode === "socket" ? "Socket Mode" : `HTTP mode on port ${slack.port}`}). Ctrl-C stops it.\n`,
      );
      await startBackground(runtime.core, slack.mode === "socket");
      await untilSignal();
      // Let polls and backups in flight finish, then stop Slack (which closes the store).
      await Promise.all([
        ...runtime.core.fleetSources.map((s) => s.stop()),
        runtime.core.poller?.stop(),
        runtime.core.backups.stop(),
        runtime.core.alerts.stop(),
        runtime.core.inventory.stop(),
      ]);
      await runtime.stop();
      await collector.close();
      return 0;
    }
    const chat = new ConsoleChat({
      config,
      userName: consoleUserName(config.console.user),
      channel: config.console.channel,
      write: (t) => process.stdout.write(t),
      color: process.stdout.isTTY === true,
    });
    const core = createCore({
      config,
      dbPath: settings.dbPath,
      logger,
      chat,
      secrets: envSecrets(settings),
      collector,
      metrics: createOpsMetrics(),
    });
    chat.attach(core.router);
    await startBackground(core);
    const shutdown = () => {
      void core
        .shutdown()
        .then(() => collector.close())
        .finally(() => process.exit(0));
    };
    process.once("SIGTERM", shutdown);
    process.once("SIGINT", shutdown);
    process.stdout.write(
      `opsbot console — you are ${chat.currentUser.name}. Type \`help\`, \`as <user>\` to switch, \`quit\` to leave.\n`,
    );
    await chat.runInteractive(process.stdin, process.stdout, process.stdin.isTTY === true);
    await core.shutdown();
    await collector.close();
    return 0;
  },
};

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}
