import { ConsoleChat } from "../chat/console/console-chat.js";
import { renderText } from "../chat/console/render.js";
import { silentLogger } from "../lib/logger.js";
import { createCollector, createCore, envSecrets, loadConfig } from "../main.js";
import {
  consoleUserName,
  GLOBAL_HELP,
  GLOBAL_OPTIONS,
  parseFlags,
  type Subcommand,
  settingsFrom,
} from "./common.js";

const usage = 'opsbot ask [--as USER] [--json] "<command text>"';

export const ask: Subcommand = {
  summary: "Run one chat command and print the reply (exit 1 on a user error)",
  usage: `${usage}\n\n  --as USER       ask as this user (default $OPSBOT_USER, console.user, or your login)\n  --json          print the answer as JSON: its data payload (docs/json.md) and the reply model\n${GLOBAL_HELP}`,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { ...GLOBAL_OPTIONS, as: { type: "string" }, json: { type: "boolean" } },
      usage,
    );
    if (values.help) {
      process.stdout.write(`Usage: ${this.usage}\n`);
      return 0;
    }
    const text = positionals.join(" ").trim();
    if (text === "") {
      process.stderr.write(`opsbot: say what to ask, e.g. opsbot ask "help"\nUsage: ${usage}\n`);
      return 1;
    }
    const settings = settingsFrom(values);
    const config = loadConfig(settings);
    const chat = new ConsoleChat({
      config,
      userName: values.as ?? consoleUserName(config.console.user),
      channel: config.console.channel,
      write: (t) => process.stdout.write(t),
    });
    // A collector so `refresh <device>` can poll; nothing is scheduled in a one-shot ask.
    const collector = createCollector({ logger: silentLogger() });
    const core = createCore({
      config,
      dbPath: settings.dbPath,
      logger: silentLogger(),
      chat,
      secrets: envSecrets(settings),
      collector,
    });
    try {
      chat.attach(core.router);
      const result = await core.router.handle(text, {
        user: chat.currentUser,
        channel: config.console.channel,
        transport: "cli",
      });
      if (values.json)
        process.stdout.write(
          // `data` is the documented payload (docs/json.md); `reply` the rendered model, for display.
          `${JSON.stringify({ outcome: result.outcome, command: result.command, data: result.reply.data, reply: result.reply }, null, 2)}\n`,
        );
      else (result.reply.isError ? process.stderr : process.stdout).write(`${renderText(result.reply)}\n`);
      return result.outcome === "ok" ? 0 : result.outcome === "error" ? 2 : 1;
    } finally {
      // A run this call started (one that needs no approval) finishes before the process exits.
      await core.services.orchestration?.idle();
      await core.shutdown();
      await collector.close();
    }
  },
};
