import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type App, type Logger as BoltLogger, HTTPReceiver, type Receiver } from "@slack/bolt";
import type { Clock } from "../../lib/clock.js";
import { ConfigError } from "../../lib/errors.js";
import type { Logger } from "../../lib/logger.js";
import type { OpsHandler } from "../../lib/ops/http.js";
import { type DeliveryBacking, DeliveryDedup } from "./delivery-dedup.js";
import { checkHttpRequest } from "./http-guard.js";

/**
 * HTTP mode: Bolt's HTTPReceiver behind our own server, which first runs the guard (future timestamps,
 * replays, ssl_check with a smuggled payload). Bolt still verifies the signature again afterwards.
 */
export interface HardenedReceiverOptions {
  signingSecret: string;
  port: number;
  host?: string;
  /** Path Slack posts to (the manifest's request URLs). */
  path?: string;
  clock: Clock;
  logger: Logger;
  boltLogger: BoltLogger;
  bodyLimitBytes?: number;
  /** Serves other paths (the ops routes) on the same port; resolves false when it has none. */
  fallback?: OpsHandler;
  /** Replay memory that survives a restart (the store). */
  deliveries?: DeliveryBacking;
}

export class HardenedHttpReceiver implements Receiver {
  private readonly inner: HTTPReceiver;
  private readonly replays: DeliveryDedup;
  private readonly path: string;
  private server: Server | undefined;

  constructor(private readonly options: HardenedReceiverOptions) {
    if (!options.signingSecret) {
      throw new ConfigError(
        "SLACK_SIGNING_SECRET is empty: copy the Signing Secret from your app's Basic Information page.",
      );
    }
    this.path = options.path ?? "/slack/events";
    this.replays = new DeliveryDedup(options.clock, 10 * 60_000, undefined, options.deliveries);
    this.inner = new HTTPReceiver({
      signingSecret: options.signingSecret,
      endpoints: this.path,
      logger: options.boltLogger,
      processBeforeResponse: false,
      bodyLimit: options.bodyLimitBytes ?? 1_048_576,
    });
  }

  init(app: App): void {
    this.inner.init(app);
  }

  /** Resolves with the bound port (useful with port 0 in tests). */
  async start(): Promise<number> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.options.logger.error({ err: String(err) }, "Slack HTTP request failed");
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port, this.options.host ?? "0.0.0.0", () => resolve());
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://opsbot");
    if (req.method === "GET" && url.pathname === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    if (url.pathname !== this.path && this.options.fallback && (await this.options.fallback(req, res)))
      return;
    if (req.method !== "POST" || url.pathname !== this.path) {
      res.writeHead(404).end();
      return;
    }
    const raw = await readLimited(req, this.options.bodyLimitBytes ?? 1_048_576);
    if (raw === undefined) {
      res.writeHead(413).end();
      return;
    }
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? undefined : v;
    };
    const verdict = checkHttpRequest(
      {
        contentType: header("content-type"),
        rawBody: raw.toString("utf8"),
        signature: header("x-slack-signature"),
        timestamp: header("x-slack-request-timestamp"),
        nowMs: this.options.clock.now(),
      },
      this.options.signingSecret,
      this.replays,
    );
    if (verdict.action === "ssl_check") {
      res.writeHead(200).end();
      return;
    }
    if (verdict.action === "reject") {
      this.options.logger.warn(
        { reason: verdict.reason, retry: header("x-slack-retry-num") },
        "rejected Slack request",
      );
      res.writeHead(verdict.status).end();
      return;
    }
    // Hand Bolt the body we already read: its parser uses `rawBody` when present.
    (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
    this.inner.requestListener(req, res);
  }
}

function readLimited(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on("end", () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
