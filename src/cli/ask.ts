import { consoleAdapter } from "../chat/console/console-adapter.js";
import { ConsoleChat } from "../chat/console/console-chat.js";
import { renderText } from "../chat/console/render.js";
import type { Reply } from "../chat/reply.js";
import type { Router } from "../chat/router.js";
import { tokenize } from "../chat/tokenize.js";
import type { Config } from "../config/schema.js";
import { createOneShotCore } from "../core/one-shot.js";
import { configFileMissing, createCollector, envSecrets, loadConfig } from "../core/setup.js";
import { OpsbotError } from "../lib/errors.js";
import { preloadYaml } from "../lib/lazy-yaml.js";
import { silentLogger } from "../lib/logger.js";
import { askOwner } from "../runtime/control-client.js";
import { defaultSocketPath } from "../runtime/control-protocol.js";
import { createOwnerPart, leaseTiming } from "../runtime/owner.js";
import { createOwnerLeaseRepo } from "../store/owner-lease.js";
import { openStore, type Store } from "../store/store.js";
import {
  consoleUserName,
  GLOBAL_HELP,
  GLOBAL_OPTIONS,
  parseFlags,
  type Subcommand,
  settingsFrom,
  warnNoConfig,
} from "./common.js";

const usage = 'opsbot ask [--as USER] [--json] [--verbose] "<command text>"';

export const ask: Subcommand = {
  summary: "Run one chat command and print the reply (exit 1 on a user error)",
  usage: `${usage}

  --as USER       ask as this user (default $OPSBOT_USER, console.user, or your login)
  --json          print the reply model as JSON
  --verbose       say on stderr where the command ran: in the running bot (its pid) or in this process
${GLOBAL_HELP}

When an opsbot owns the database (\`opsbot start\` or \`demo\`), the command goes over its control socket
and runs there: a run you approve executes in the bot and its messages update. With no bot running, the
command runs in this process, which holds the owner lease while it does. Exit codes: 0 ok, 1 a user
error (unknown command, bad argument, no permission), 2 anything else.`,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        ...GLOBAL_OPTIONS,
        as: { type: "string" },
        json: { type: "boolean" },
        verbose: { type: "boolean", short: "v" },
      },
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
    const configMissing = configFileMissing(settings);
    if (!configMissing) await preloadYaml();
    const config = loadConfig(settings);
    const userName = values.as ?? consoleUserName(config.console.user);
    const verbose = (line: string) => {
      if (values.verbose) process.stderr.write(`opsbot: ${line}\n`);
    };
    const print = (outcome: string, command: string | undefined, reply: Reply) => {
      // `data` is the documented payload (docs/json.md); `reply` the rendered model, for display.
      if (values.json)
        process.stdout.write(`${JSON.stringify({ outcome, command, data: reply.data, reply }, null, 2)}\n`);
      else (reply.isError ? process.stderr : process.stdout).write(`${renderText(reply)}\n`);
      return outcome === "ok" ? 0 : outcome === "error" ? 2 : 1;
    };

    // One connection for the whole call, shared by the lease and the core: SQLite checkpoints and
    // removes the WAL when a database's last connection closes, so a close-and-reopen in between cost
    // a checkpoint and a new WAL (four fsyncs), and each open its pragmas and schema read.
    const held = openStore(settings.dbPath);
    try {
      const socket = ownerSocket(held, settings.dbPath, config);
      const answer = await askOwner(socket, { v: 1, text, user: userName });
      if (answer) {
        verbose(`ran in the owner (pid ${answer.pid}) over ${socket}`);
        if (!answer.ok)
          throw new OpsbotError("UNAVAILABLE", `The running opsbot could not answer: ${answer.error}`);
        return print(answer.outcome, answer.command, answer.reply);
      }

      const chat = new ConsoleChat({
        config,
        userName,
        channel: config.console.channel,
        write: (t) => process.stdout.write(t),
      });
      const owner = createOwnerPart({
        dbPath: settings.dbPath,
        store: held,
        logger: silentLogger(),
        mode: "ask",
        ...leaseTiming(config),
        onLost: () => {},
      });
      // Without the lease (someone else owns the database but its socket did not answer): only
      // commands without side effects, and no device sync.
      let leased = true;
      try {
        await owner.start();
      } catch (err) {
        if (!(err instanceof OpsbotError && err.code === "CONFLICT")) throw err;
        leased = false;
        verbose(`${err.message.split(":")[0]}: its control socket ${socket} did not answer`);
      }
      // A collector so `refresh <device>` can poll; nothing is scheduled in a one-shot ask.
      // The subsystems load only when the command uses one (`help`, `fleet`, `links down` do not).
      const core = createOneShotCore({
        config,
        dbPath: settings.dbPath,
        store: held,
        logger: silentLogger(),
        chat,
        secrets: envSecrets(settings),
        collector: createCollector({ logger: silentLogger() }),
        run: {
          ...(leased ? { owner } : {}),
          adapter: consoleAdapter(chat, undefined),
          syncDevices: leased && !configMissing,
          schedules: false,
        },
      });
      try {
        // Answers come from what the database holds; say so when a config would have changed it.
        if (configMissing && core.services.fleet.hasDevices()) warnNoConfig(settings);
        await core.start();
        if (!leased && hasSideEffects(core.router as Router, text)) {
          throw new OpsbotError(
            "CONFLICT",
            `Another process owns ${settings.dbPath} but does not answer on ${socket}; \`${text}\` changes things, so it is not run here. Run it in that process, or stop it.`,
          );
        }
        verbose(
          `ran in this process (pid ${process.pid}${leased ? ", holding the owner lease" : ", read-only"})`,
        );
        const result = await core.router.handle(text, {
          user: chat.currentUser,
          channel: config.console.channel,
          transport: "cli",
          ...chat.impersonation(chat.currentUser),
        });
        return print(result.outcome, result.command, result.reply);
      } finally {
        // A run this call started (one that needs no approval) finishes, within the shutdown grace.
        await core.stop();
      }
    } finally {
      held.close();
    }
  },
};

/** The owner's socket: recorded with its lease, else the configured or default path. */
function ownerSocket(store: Store, dbPath: string, config: Config): string {
  return createOwnerLeaseRepo(store).read()?.socket ?? config.owner.socket ?? defaultSocketPath(dbPath);
}

/** Whether the command the text names has side effects (unknown commands: no; the router says so). */
function hasSideEffects(router: Router, text: string): boolean {
  const words = tokenize(text.trim().replace(/^\/ops\s+/, "")).map((t) => t.value);
  const spec =
    (words.length >= 2 ? router.find(`${words[0]} ${words[1]}`) : undefined) ?? router.find(words[0] ?? "");
  return spec !== undefined && spec.sideEffects !== false;
}
