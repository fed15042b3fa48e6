import { join } from "node:path";
import { commands as realCommands } from "../../commands/index.js";
import { createSlackApp, type SlackApp } from "../../src/chat/slack/app.js";
import { createStoredDeliveries } from "../../src/chat/slack/delivery-store.js";
import { parseConfig } from "../../src/config/load.js";
import { systemClock } from "../../src/lib/clock.js";
import { createLogger, silentLogger } from "../../src/lib/logger.js";
import { type Core, createCore } from "../../src/main.js";
import { type EmulatorOptions, type SlackEmulator, startSlackEmulator } from "./slack-emulator/index.js";
import { type HandlerCall, slackTestCommands } from "./slack-test-commands.js";
import { tempDir } from "./temp.js";

export const TEST_SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

export interface HarnessOptions {
  mode: "socket" | "http";
  /** opsbot.yaml text (roles…). */
  yaml?: string;
  emulator?: EmulatorOptions;
  channelIntervalMs?: number;
  /** Use this database file (a restart: a second harness on the first one's file); default a fresh one. */
  dbPath?: string;
  /** Reuse this emulator (a restart of opsbot, not of Slack); it is then not stopped by stop(). */
  emu?: SlackEmulator;
}

export interface Harness {
  emu: SlackEmulator;
  app: SlackApp;
  core: Core;
  /** Every test-command handler run. */
  calls: HandlerCall[];
  /** HTTP mode: where Slack would POST. */
  eventsUrl?: string;
  /** The database file (a restart reuses it). */
  dbPath: string;
  stop(): Promise<void>;
}

/**
 * The real Bolt app and the real core (router, audit on a real SQLite file, the shipped commands plus
 * recording test commands), wired as src/main.ts wires them, against a fresh emulator.
 */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const emu = options.emu ?? (await startSlackEmulator(options.emulator));
  const dir = tempDir();
  const config = parseConfig(options.yaml ?? "{}", "test.yaml", {});
  const settings =
    options.mode === "socket"
      ? { mode: "socket" as const, botToken: emu.botToken, appToken: emu.appToken, apiUrl: emu.apiUrl }
      : {
          mode: "http" as const,
          botToken: emu.botToken,
          signingSecret: TEST_SIGNING_SECRET,
          port: 0,
          apiUrl: emu.apiUrl,
        };
  const app = createSlackApp({
    settings,
    config,
    clock: systemClock,
    logger: process.env.SLACK_TEST_LOG ? createLogger({ level: process.env.SLACK_TEST_LOG }) : silentLogger(),
    httpHost: "127.0.0.1",
    ...(options.channelIntervalMs !== undefined ? { channelIntervalMs: options.channelIntervalMs } : {}),
  });
  const test = slackTestCommands();
  const core = createCore({
    config,
    dbPath: options.dbPath ?? join(dir.path, "opsbot.db"),
    logger: silentLogger(),
    chat: app.chat,
    commands: [...realCommands, ...test.commands],
    actions: test.actions,
  });
  const started = await app.start(core.router, {
    deliveries: createStoredDeliveries(core.store, silentLogger()),
  });
  if (options.mode === "socket") await emu.socket.waitForConnection();
  return {
    emu,
    app,
    core,
    calls: test.calls,
    dbPath: options.dbPath ?? join(dir.path, "opsbot.db"),
    ...(started.port ? { eventsUrl: `http://127.0.0.1:${started.port}/slack/events` } : {}),
    async stop() {
      await app.stop(2000);
      if (!options.emu) await emu.stop();
      core.close();
      dir.cleanup();
    },
  };
}
