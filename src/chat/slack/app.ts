import { App } from "@slack/bolt";
import type { Config } from "../../config/schema.js";
import type { Clock } from "../../lib/clock.js";
import { OpsbotError } from "../../lib/errors.js";
import type { Logger } from "../../lib/logger.js";
import type { OpsHandler } from "../../lib/ops/http.js";
import type { Router } from "../router.js";
import { boltLogger } from "./bolt-logger.js";
import { type DeliveryBacking, DeliveryDedup } from "./delivery-dedup.js";
import { createHomeTab, type HomeRenderer, type HomeTab } from "./home-tab.js";
import { HardenedHttpReceiver } from "./http-receiver.js";
import { createSlackIdentity } from "./identity.js";
import { registerListeners } from "./listeners.js";
import { createOutbox, type Outbox } from "./outbox.js";
import type { MemoryBound } from "./outbox-memory.js";
import type { Timers } from "./send-queue.js";
import type { SlackSettings } from "./settings.js";
import { createSlackApi, type SlackApi } from "./slack-api.js";

/**
 * opsbot in Slack: a Bolt app in Socket Mode (default) or HTTP mode, answering through the outbox.
 * `chat` exists before start() so the composition root can build the core (and its router) with it,
 * then start the app with that router.
 */
export interface SlackAppOptions {
  settings: SlackSettings;
  /** opsbot.yaml: roles (members may be Slack user ids and user-group ids). */
  config: Pick<Config, "roles">;
  clock: Clock;
  logger: Logger;
  timers?: Timers;
  /** Minimum ms between writes to a channel (Slack: ~1/s). */
  channelIntervalMs?: number;
  /** HTTP mode: interface to listen on (default all). */
  httpHost?: string;
  /** Tests may swap the Web API (default: the real client pointed at settings.apiUrl). */
  api?: SlackApi;
  /** HTTP mode: more routes on Slack's port (the ops listener's /healthz, /readyz, /metrics, webhooks). */
  httpFallback?: OpsHandler;
  /** The outbox's memory bound and retry ceiling (opsbot.yaml `outbox:`). */
  outbox?: { memory?: Partial<MemoryBound>; backoffMaxMs?: number; drainMs?: number };
}

/** Whether Slack can reach opsbot right now (for /readyz). */
export interface SlackConnection {
  connected: boolean;
  detail: string;
}

export interface SlackStartOptions {
  /** Where delivery keys outlive the process (replays and retries across a restart). */
  deliveries?: DeliveryBacking;
  /** Renders the App Home for a user (absent: no Home tab). */
  home?: HomeRenderer;
}

export interface SlackApp {
  readonly chat: Outbox;
  /** Connects (Socket Mode) or listens (HTTP mode). Resolves with the HTTP port in HTTP mode. */
  start(router: Router, options?: SlackStartOptions): Promise<{ botUserId: string; port?: number }>;
  /** Re-publishes the App Home of everyone who opened it (after runs, approvals or alerts changed). */
  refreshHome(): void;
  /** Serves the App Home, rendered by `render` (the latest call wins); before or after start(). */
  serveHome(render: HomeRenderer): { refresh(): void };
  /** Stops receiving, then delivers what is still queued (up to `drainMs`; the rest is spilled). */
  stop(drainMs?: number): Promise<void>;
  /** For /readyz: is Slack connected, and why not. */
  connection(): SlackConnection;
  /** Stops receiving events and commands; the outbox keeps delivering. */
  stopReceiving(): Promise<void>;
  /**
   * Delivers what is still queued (up to `drainMs`), then closes the outbox; what Slack did not take
   * in time is saved to the spill (when one is attached) for the next start.
   */
  drain(drainMs?: number): Promise<void>;
}

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { settings, logger } = options;
  const api =
    options.api ??
    createSlackApi({
      token: settings.botToken,
      ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}),
    });
  const outbox = createOutbox({
    api,
    logger: logger.child({ component: "slack-outbox" }),
    ...(options.timers ? { timers: options.timers } : {}),
    ...(options.channelIntervalMs !== undefined ? { channelIntervalMs: options.channelIntervalMs } : {}),
    ...(options.outbox?.memory ? { memory: options.outbox.memory } : {}),
    ...(options.outbox?.backoffMaxMs !== undefined ? { backoffMaxMs: options.outbox.backoffMaxMs } : {}),
  });
  const defaultDrainMs = options.outbox?.drainMs ?? 10_000;
  let app: App | undefined;
  let receiver: HardenedHttpReceiver | undefined;
  const identity = createSlackIdentity({
    config: options.config,
    call: (method, args) => outbox.call(method, args),
    clock: options.clock,
    logger,
  });
  // The chat port also answers "who is in this user group" (approvability checks), from the same cache.
  const chat = Object.assign(outbox, { groupMembers: (id: string) => identity.groupMembers(id) });
  let home: HomeTab | undefined;
  let homeRender: HomeRenderer | undefined;
  let connection: SlackConnection = { connected: false, detail: "Slack not started" };

  return {
    chat,
    refreshHome: () => home?.refreshAll(),
    serveHome(render) {
      homeRender = render;
      return { refresh: () => home?.refreshAll() };
    },
    async start(router, startOptions = {}) {
      const { deliveries } = startOptions;
      const me = await outbox.call("auth.test", {}).catch((err: unknown) => {
        throw new OpsbotError(
          "UNAVAILABLE",
          `Slack refused SLACK_BOT_TOKEN (${(err as Error).message}): check the token and that the app is installed.`,
          { cause: err },
        );
      });
      const botUserId = String(me.user_id);
      const botId = String(me.bot_id);
      const bLogger = boltLogger(logger);
      // Bolt's own client only opens the Socket Mode connection (apps.connections.open), with its own
      // reconnect retries; every other call goes through the outbox. Known bot ids mean Bolt needs no
      // auth.test of its own.
      const clientOptions = settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {};
      if (settings.mode === "socket") {
        app = new App({
          token: settings.botToken,
          appToken: settings.appToken,
          socketMode: true,
          botId,
          botUserId,
          clientOptions,
          logger: bLogger,
        });
      } else {
        receiver = new HardenedHttpReceiver({
          signingSecret: settings.signingSecret,
          port: settings.port,
          ...(options.httpHost ? { host: options.httpHost } : {}),
          clock: options.clock,
          logger,
          boltLogger: bLogger,
          ...(options.httpFallback ? { fallback: options.httpFallback } : {}),
          ...(deliveries ? { deliveries } : {}),
        });
        app = new App({
          token: settings.botToken,
          receiver,
          botId,
          botUserId,
          clientOptions,
          logger: bLogger,
        });
      }
      app.error(async (err) => {
        logger.error({ err: String(err) }, "Slack listener error");
      });
      if (startOptions.home) homeRender = startOptions.home;
      if (homeRender) {
        home = createHomeTab({
          outbox,
          // Looked up per publish: a reloaded core's serveHome() replaces the renderer.
          render: (user) => homeRender!(user),
          resolve: (id) => identity.resolve(id),
          logger,
        });
      }
      registerListeners(app, {
        router,
        identity,
        outbox,
        dedup: new DeliveryDedup(options.clock, undefined, undefined, deliveries),
        botUserId,
        logger,
        ...(home ? { home } : {}),
      });
      if (receiver) {
        const port = await receiver.start();
        connection = { connected: true, detail: `Slack HTTP mode listening on port ${port}` };
        logger.info({ port, botUserId }, "Slack HTTP mode: listening");
        return { botUserId, port };
      }
      watchSocket(app, (c) => {
        connection = c;
      });
      await app.start();
      connection = { connected: true, detail: "Slack Socket Mode connected" };
      logger.info({ botUserId }, "Slack Socket Mode: connected");
      return { botUserId };
    },
    connection: () => connection,
    async stop(drainMs = defaultDrainMs) {
      await this.stopReceiving();
      await this.drain(drainMs);
    },
    async stopReceiving() {
      connection = { connected: false, detail: "Slack stopped" };
      const r = receiver;
      const a = app;
      receiver = undefined;
      app = undefined;
      if (r) await r.stop();
      else if (a) await a.stop();
    },
    async drain(drainMs = defaultDrainMs) {
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        outbox.idle().then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), drainMs);
        }),
      ]);
      clearTimeout(timer);
      if (drained) {
        outbox.close();
        return;
      }
      const pending = outbox.pending;
      const { saved, lost } = outbox.spillAll();
      logger.warn({ pending, saved, lost }, "Slack outbox not drained at shutdown: saved for the next start");
    },
  };
}

/**
 * Follows the Socket Mode client's state. Bolt keeps its receiver private; the client is an
 * EventEmitter with documented state events (connected, reconnecting, disconnected).
 */
function watchSocket(app: App, set: (c: SlackConnection) => void): void {
  const client = (app as unknown as { receiver?: { client?: NodeJS.EventEmitter } }).receiver?.client;
  if (!client || typeof client.on !== "function") return;
  client.on("connected", () => set({ connected: true, detail: "Slack Socket Mode connected" }));
  client.on("reconnecting", () => set({ connected: false, detail: "Slack Socket Mode reconnecting" }));
  client.on("disconnected", () => set({ connected: false, detail: "Slack Socket Mode disconnected" }));
}
