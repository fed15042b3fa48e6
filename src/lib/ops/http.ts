import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../logger.js";

/**
 * The ops HTTP listener: /healthz, /readyz, /metrics and webhooks, in every mode. Routes are plain
 * request → response functions (easy to test, no framework); `handler` serves them on any Node
 * server, so Slack's HTTP mode shares its port instead of opening a second one.
 */
export interface OpsRequest {
  method: string;
  url: URL;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

export interface OpsResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface OpsRoute {
  method: "GET" | "POST";
  path: string;
  handle(req: OpsRequest): OpsResponse | Promise<OpsResponse>;
}

/** Serves the routes; resolves false (untouched response) for a path no route has. */
export type OpsHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const BODY_LIMIT = 4 * 1024 * 1024;

export function opsHandler(routes: () => readonly OpsRoute[], logger: Logger): OpsHandler {
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://opsbot");
    const matching = routes().filter((r) => r.path === url.pathname);
    if (matching.length === 0) return false;
    const route = matching.find((r) => r.method === req.method);
    if (!route) {
      res.writeHead(405, { allow: matching.map((r) => r.method).join(", ") }).end();
      return true;
    }
    try {
      const body = req.method === "POST" ? await readBody(req, BODY_LIMIT) : Buffer.alloc(0);
      if (body === undefined) {
        res.writeHead(413, { "content-type": "text/plain" }).end(`body over ${BODY_LIMIT} bytes\n`);
        return true;
      }
      const out = await route.handle({ method: req.method ?? "GET", url, headers: req.headers, body });
      res
        .writeHead(out.status, { "content-type": "text/plain; charset=utf-8", ...out.headers })
        .end(out.body ?? "");
    } catch (err) {
      logger.error({ err, path: url.pathname }, "ops request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end("internal error\n");
    }
    return true;
  };
}

export interface OpsServer {
  /** Listens; resolves with the bound port (port 0 picks a free one). */
  start(): Promise<number>;
  stop(): Promise<void>;
}

export function createOpsServer(options: {
  host: string;
  port: number;
  handler: OpsHandler;
  logger: Logger;
}): OpsServer {
  let server: Server | undefined;
  return {
    async start() {
      // node:http loads when a listener starts: a one-shot `opsbot ask` never serves.
      const { createServer } = await import("node:http");
      const s = createServer((req, res) => {
        options.handler(req, res).then(
          (handled) => {
            if (!handled) res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
          },
          (err: unknown) => {
            options.logger.error({ err }, "ops request failed");
            if (!res.headersSent) res.writeHead(500).end();
          },
        );
      });
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.listen(options.port, options.host, () => resolve());
      });
      server = s;
      const port = (s.address() as AddressInfo).port;
      options.logger.info({ host: options.host, port }, "ops listener: /healthz /readyz /metrics");
      return port;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on("end", () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
