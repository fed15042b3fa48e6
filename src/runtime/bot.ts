import { type ChatAdapter, forwardingRouter } from "../chat/adapter.js";
import { rolesFor } from "../chat/permissions.js";
import { reply, text } from "../chat/reply.js";
import type { Config } from "../config/schema.js";
import { OpsbotError, toOpsbotError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import type { Core, RunOptions } from "../main.js";
import { defaultSocketPath } from "./control-protocol.js";
import { createControlServer } from "./control-server.js";
import type { Part } from "./lifecycle.js";
import { createOwnerPart, leaseTiming } from "./owner.js";
import { createPrunePart } from "./prune-part.js";
import { createStoreWatch } from "./store-watch.js";

export interface BotOptions {
  mode: "start" | "demo";
  dbPath: string;
  logger: Logger;
  adapter: ChatAdapter;
  /** Reads the config: at start, and again on SIGHUP when `reloadable`. */
  loadConfig(): Config;
  reloadable: boolean;
  /** No config file at the default path: answer from the database, never sync devices. */
  configMissing: boolean;
  /** Wait for the owner lease instead of refusing. */
  wait?: boolean;
  initialPoll?: RunOptions["initialPoll"];
  /** Builds a core (the CLI's createCore with its collector, secrets…). */
  createCore(config: Config, run: RunOptions): Core;
  /** Once the subsystems are up, just before the chat starts reading: print the banner. */
  onStarted?(core: Core): void;
  /** The crash guard's hook: how to stop if an unhandled error ends the process (undefined: done). */
  registerStop?(stop: (() => Promise<void>) | undefined): void;
  /**
   * Run the ops listener (/healthz, /readyz, /metrics, webhooks) as a lifecycle part; default true.
   * False in Slack's HTTP mode, where Slack's port serves the same routes.
   */
  opsListener?: boolean;
  /** Where the bot tells an admin about itself when `channels.admin` is unset (console: its channel). */
  fallbackAdminChannel?: string;
}

/**
 * The long-running bot (`opsbot start`, `opsbot demo`): one owner, one lifecycle. Runs until the
 * chat ends (console `quit` / end of input), SIGINT or SIGTERM, then stops gracefully and returns 0.
 * SIGHUP re-reads opsbot.yaml: a bad file keeps the running config and says why.
 */
export async function runBot(o: BotOptions): Promise<number> {
  const { logger, adapter } = o;
  let config = o.loadConfig();
  let core: Core | undefined;
  let stopRequested: (why: string) => void = () => {};
  const stopping = new Promise<string>((resolve) => {
    stopRequested = resolve;
  });
  let lost = false;
  let storeGone: string | undefined;
  const socket = config.owner.socket ?? defaultSocketPath(o.dbPath);
  const owner = createOwnerPart({
    dbPath: o.dbPath,
    logger,
    mode: o.mode,
    ...leaseTiming(config),
    socket,
    ...(o.wait ? { wait: true } : {}),
    onLost: () => {
      lost = true;
      stopRequested("lease lost");
    },
  });
  const current = () => {
    if (!core) throw new OpsbotError("UNAVAILABLE", "opsbot is starting; try again in a moment.");
    return core;
  };
  const control = createControlServer({
    path: socket,
    logger,
    router: () => current().router as never,
    identify: (name) => ({ id: name, name, roles: rolesFor(current().services.config, { id: name, name }) }),
    channel: () => current().services.config.console.channel,
  });
  const router = forwardingRouter(() => current().router as never);
  let announced = false;
  const banner: Part = {
    name: "banner",
    process: true,
    start: () => {
      if (announced) return;
      announced = true;
      o.onStarted?.(current());
    },
  };
  const build = (c: Config): Core => {
    const next = o.createCore(c, {
      owner,
      adapter,
      adapterRouter: router,
      control,
      syncDevices: !o.configMissing,
      schedules: true,
      ops: o.opsListener !== false,
      prune: createPrunePart(() => current(), logger) as Part,
      ...(o.initialPoll ? { initialPoll: o.initialPoll } : {}),
    });
    next.lifecycle.add(banner, { before: "chat" });
    next.lifecycle.add(storeWatch, { after: "store" });
    return next;
  };
  const storeWatch = createStoreWatch({
    path: o.dbPath,
    // On the lease's heartbeat: the owner notices within one beat that its store is no longer the store.
    intervalMs: leaseTiming(config).heartbeatMs,
    logger,
    onGone: (reason) => {
      storeGone = reason;
      tellAdmin(`opsbot is stopping: ${reason}. Restart it on the real database.`);
      stopRequested("database gone");
    },
  });
  const tellAdmin = (message: string) => {
    const target = config.channels.admin ?? o.fallbackAdminChannel;
    if (!target) return;
    adapter.port.post(target, reply(text(message))).catch((err: unknown) => {
      logger.warn({ err }, "could not tell the admin channel");
    });
  };

  let signals = 0;
  const onStopSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      process.stderr.write(
        `opsbot: ${signal}: stopping (runs in flight get ${config.orchestration.shutdown_grace})…\n`,
      );
      owner.cancelWait();
      stopRequested(signal);
      return;
    }
    process.stderr.write(
      "opsbot: stopping now; running steps will be reported interrupted at the next start.\n",
    );
    process.exit(130);
  };
  let reloading: Promise<void> = Promise.resolve();
  const onHangup = () => {
    reloading = reloading.then(async () => {
      if (!o.reloadable) {
        logger.info("SIGHUP: the demo has no config file to reload");
        return;
      }
      if (!core || signals > 0) return;
      let next: Config;
      try {
        next = o.loadConfig();
      } catch (err) {
        const e = toOpsbotError(err);
        logger.error(
          { err: e.message, details: e.details },
          "SIGHUP: config not reloaded; keeping the running one",
        );
        tellAdmin(
          `Config not reloaded, still running the previous one: ${e.message}${e.details.map((d) => `\n• ${d}`).join("")}`,
        );
        return;
      }
      logger.info("SIGHUP: reloading the config");
      await core.stop({ reload: true });
      config = next;
      core = build(next);
      await core.start();
      logger.info("config reloaded");
      tellAdmin("Config reloaded.");
    });
  };
  process.on("SIGINT", onStopSignal);
  process.on("SIGTERM", onStopSignal);
  process.on("SIGHUP", onHangup);
  o.registerStop?.(() => core?.stop() ?? Promise.resolve());
  try {
    core = build(config);
    try {
      await core.start();
    } catch (err) {
      if (signals > 0) return 0; // stopped while waiting for the lease
      throw err;
    }
    const why = await Promise.race([
      stopping,
      (adapter.ended ?? new Promise<never>(() => {})).then(() => "end of input"),
    ]);
    logger.info({ why }, "stopping");
    await reloading;
    await core.stop();
    if (storeGone) {
      process.stderr.write(`opsbot: ${storeGone}; stopped. Restart opsbot on the real database.\n`);
      return 3;
    }
    if (lost) {
      process.stderr.write(
        "opsbot: another process took over the owner lease (this one was stale); stopped.\n",
      );
      return 2;
    }
    return 0;
  } finally {
    o.registerStop?.(undefined);
    process.off("SIGINT", onStopSignal);
    process.off("SIGTERM", onStopSignal);
    process.off("SIGHUP", onHangup);
  }
}
