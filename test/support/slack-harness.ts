import { createSlackApp, type SlackApp } from "../../src/chat/slack/app.js";
import type { SlackRouter } from "../../src/chat/slack/router-port.js";
import { systemClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { type EmulatorOptions, type SlackEmulator, startSlackEmulator } from "./slack-emulator/index.js";

export const TEST_SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

export interface HarnessOptions {
  mode: "socket" | "http";
  router: SlackRouter;
  roles?: Record<string, string[]>;
  emulator?: EmulatorOptions;
  channelIntervalMs?: number;
}

export interface Harness {
  emu: SlackEmulator;
  app: SlackApp;
  /** HTTP mode: where Slack would POST. */
  eventsUrl?: string;
  stop(): Promise<void>;
}

/** The real Bolt app, wired exactly as in production, against a fresh emulator. */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const emu = await startSlackEmulator(options.emulator);
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
    router: options.router,
    roles: options.roles ?? {},
    clock: systemClock,
    logger: silentLogger(),
    httpHost: "127.0.0.1",
    ...(options.channelIntervalMs !== undefined ? { channelIntervalMs: options.channelIntervalMs } : {}),
  });
  const started = await app.start();
  if (options.mode === "socket") await emu.socket.waitForConnection();
  return {
    emu,
    app,
    ...(started.port ? { eventsUrl: `http://127.0.0.1:${started.port}/slack/events` } : {}),
    async stop() {
      await app.stop(2000);
      await emu.stop();
    },
  };
}
