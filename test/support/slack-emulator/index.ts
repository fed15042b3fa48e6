import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { checkMessage } from "./block-limits.js";
import { RateLimiter, type RateLimitOptions } from "./rate-limiter.js";
import { SocketModeEndpoint } from "./socket-mode.js";
import { APP_TOKEN_METHODS, jsonArg, METHODS } from "./web-api.js";
import { Workspace, type WorkspaceSeed } from "./workspace.js";

export * from "./block-limits.js";
export * from "./payloads.js";
export * from "./signer.js";
export type { AckRecord, EnvelopeType } from "./socket-mode.js";
export * from "./workspace.js";

export const EMULATOR_BOT_TOKEN = "xoxb-0000000000-emulator-bot-token";
export const EMULATOR_APP_TOKEN = "xapp-1-A0OPSBOT1-emulator-app-token";

export interface EmulatorOptions {
  botToken?: string;
  appToken?: string;
  seed?: WorkspaceSeed;
  rateLimits?: RateLimitOptions;
  /** Slack's ack deadline for Socket Mode envelopes. */
  ackTimeoutMs?: number;
  /**
   * Random server errors (soak runs): this share (0–1) of calls to `methods` (default chat.postMessage
   * and chat.update) fail with HTTP 500 before they do anything.
   */
  randomFaults?: { rate: number; methods?: string[]; random?: () => number };
}

/** One Web API call (or response_url / upload POST) as the emulator saw it. */
export interface CallRecord {
  method: string;
  args: Record<string, unknown>;
  at: number;
  status: number;
  ok: boolean;
  error?: string;
  channel?: string;
  retryAfterSec?: number;
}

interface Fault {
  method: string;
  remaining: number;
  status: number;
  retryAfterSec?: number;
}

interface ResponseUrlContext {
  channel: string;
  user: string;
  uses: number;
}

/**
 * A local stand-in for Slack: Web API methods, file uploads, response URLs and a Socket Mode endpoint,
 * on one HTTP server bound to 127.0.0.1 on a free port. Point the app at `apiUrl` (Bolt's
 * `clientOptions.slackApiUrl`); apps.connections.open hands out this server's WebSocket URL.
 */
export class SlackEmulator {
  readonly workspace: Workspace;
  readonly calls: CallRecord[] = [];
  readonly socket: SocketModeEndpoint;
  readonly botToken: string;
  readonly appToken: string;
  private readonly limiter: RateLimiter;
  private readonly faults: Fault[] = [];
  private readonly randomFaults: EmulatorOptions["randomFaults"];
  private readonly responseUrls = new Map<string, ResponseUrlContext>();
  private server: Server | undefined;
  private base = "";

  constructor(options: EmulatorOptions = {}) {
    this.workspace = new Workspace(options.seed);
    this.botToken = options.botToken ?? EMULATOR_BOT_TOKEN;
    this.appToken = options.appToken ?? EMULATOR_APP_TOKEN;
    this.limiter = new RateLimiter(options.rateLimits);
    this.socket = new SocketModeEndpoint(options.ackTimeoutMs);
    this.randomFaults = options.randomFaults;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(`emulator error: ${(err as Error).message}`);
      });
    });
    server.on("upgrade", (req, socket, head) => this.socket.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.server = server;
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await this.socket.close();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get baseUrl(): string {
    return this.base;
  }

  /** The Web API root, with the trailing slash the WebClient expects. */
  get apiUrl(): string {
    return `${this.base}/api/`;
  }

  /** A response_url for a slash command or button click in `channel` by `user`. */
  responseUrl(channel: string, user: string): string {
    const id = randomUUID();
    this.responseUrls.set(id, { channel, user, uses: 0 });
    return `${this.base}/response/${id}`;
  }

  /** The next `count` calls of `method` fail with HTTP `status` (5xx by default). */
  failNext(method: string, count: number, status = 500): void {
    this.faults.push({ method, remaining: count, status });
  }

  /** Slack is back: every injected fault still pending is dropped. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** The next `count` calls of `method` get 429 with Retry-After: `retryAfterSec`. */
  rateLimitNext(method: string, count: number, retryAfterSec = 1): void {
    this.faults.push({ method, remaining: count, status: 429, retryAfterSec });
  }

  callsTo(method: string): CallRecord[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Polls until `predicate` holds; rejects with `what` after `timeoutMs`. */
  async waitFor<T>(what: string, predicate: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = predicate();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline) throw new Error(`emulator: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.base);
    const raw = await readBody(req);
    if (req.method === "POST" && url.pathname.startsWith("/api/")) {
      this.webApi(url.pathname.slice("/api/".length), req, raw, res);
      return;
    }
    if (req.method === "POST" && url.pathname.startsWith("/upload/")) {
      this.upload(url.pathname.slice("/upload/".length), raw, res);
      return;
    }
    if (req.method === "POST" && url.pathname.startsWith("/response/")) {
      this.respond(url.pathname.slice("/response/".length), raw, res);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found");
  }

  private webApi(method: string, req: IncomingMessage, raw: Buffer, res: ServerResponse): void {
    const now = Date.now();
    const args = parseArgs(req.headers["content-type"] ?? "", raw);
    const token =
      bearer(req.headers.authorization) ?? (typeof args.token === "string" ? args.token : undefined);
    delete args.token;
    const channel = typeof args.channel === "string" ? args.channel : undefined;
    const record: CallRecord = {
      method,
      args,
      at: now,
      status: 200,
      ok: false,
      ...(channel ? { channel } : {}),
    };
    this.calls.push(record);

    const fault = this.takeFault(method);
    if (fault) {
      this.answerFault(record, fault, res);
      return;
    }

    const handler = METHODS[method];
    const expected = APP_TOKEN_METHODS.has(method) ? this.appToken : this.botToken;
    let body: Record<string, unknown>;
    if (!handler) body = { ok: false, error: "unknown_method" };
    else if (!token) body = { ok: false, error: "not_authed" };
    else if (token !== expected) {
      const wrongKind = token === this.appToken || token === this.botToken;
      body = { ok: false, error: wrongKind ? "not_allowed_token_type" : "invalid_auth" };
    } else {
      const retryAfter = this.limiter.admit(method, channel, now);
      if (retryAfter !== undefined) {
        this.answerFault(record, { method, remaining: 0, status: 429, retryAfterSec: retryAfter }, res);
        return;
      }
      body = handler({
        workspace: this.workspace,
        args,
        now,
        baseUrl: this.base,
        issueTicket: () => this.socket.issueTicket(),
      });
    }
    record.ok = body.ok === true;
    if (typeof body.error === "string") record.error = body.error;
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(body));
  }

  private upload(fileId: string, raw: Buffer, res: ServerResponse): void {
    const file = this.workspace.files.get(fileId);
    this.calls.push({
      method: "files.upload_url",
      args: { file: fileId },
      at: Date.now(),
      status: file ? 200 : 404,
      ok: !!file,
    });
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    const part = multipartFileContent(raw);
    file.content = part ?? raw.toString("utf8");
    file.bytes = part === undefined ? raw : Buffer.from(part, "utf8");
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`OK - ${raw.length}`);
  }

  private respond(id: string, raw: Buffer, res: ServerResponse): void {
    const now = Date.now();
    const ctx = this.responseUrls.get(id);
    const args = safeJson(raw.toString("utf8"));
    const record: CallRecord = { method: "response_url", args, at: now, status: 200, ok: false };
    if (ctx) record.channel = ctx.channel;
    this.calls.push(record);
    const fault = this.takeFault("response_url");
    if (fault) {
      this.answerFault(record, fault, res);
      return;
    }
    const answer = (status: number, body: Record<string, unknown>) => {
      record.status = status;
      record.ok = body.ok === true;
      if (typeof body.error === "string") record.error = body.error;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (!ctx) {
      answer(404, { ok: false, error: "expired_url" });
      return;
    }
    // Slack allows a response URL to be used five times within 30 minutes.
    if (ctx.uses >= 5) {
      answer(404, { ok: false, error: "used_url" });
      return;
    }
    const retryAfter = this.limiter.admit("response_url", ctx.channel, now);
    if (retryAfter !== undefined) {
      this.answerFault(
        record,
        { method: "response_url", remaining: 0, status: 429, retryAfterSec: retryAfter },
        res,
      );
      return;
    }
    const blocks = jsonArg(args.blocks);
    const violation = checkMessage(args.text, blocks);
    if (violation) {
      answer(400, { ok: false, error: violation.error, messages: violation.messages });
      return;
    }
    ctx.uses += 1;
    const ephemeral = args.response_type !== "in_channel";
    this.workspace.messages.push({
      channel: ctx.channel,
      ts: this.workspace.nextTs(now),
      text: typeof args.text === "string" ? args.text : "",
      blocks: Array.isArray(blocks) ? blocks : [],
      ...(typeof args.thread_ts === "string" ? { threadTs: args.thread_ts } : {}),
      ...(ephemeral ? { visibleTo: ctx.user } : {}),
      via: "response_url",
      updates: 0,
      postedAt: now,
    });
    answer(200, { ok: true });
  }

  private takeFault(method: string): Fault | undefined {
    const chance = this.randomFaults;
    if (chance && (chance.methods ?? ["chat.postMessage", "chat.update"]).includes(method)) {
      if ((chance.random ?? Math.random)() < chance.rate) return { method, remaining: 0, status: 500 };
    }
    const fault = this.faults.find((f) => f.method === method && f.remaining > 0);
    if (fault) fault.remaining -= 1;
    return fault;
  }

  private answerFault(record: CallRecord, fault: Fault, res: ServerResponse): void {
    record.status = fault.status;
    record.ok = false;
    if (fault.status === 429) {
      record.error = "ratelimited";
      record.retryAfterSec = fault.retryAfterSec ?? 1;
      res.writeHead(429, { "content-type": "application/json", "retry-after": String(record.retryAfterSec) });
      res.end(JSON.stringify({ ok: false, error: "ratelimited" }));
      return;
    }
    record.error = `http_${fault.status}`;
    res.writeHead(fault.status, { "content-type": "text/html" });
    res.end("<html><body>Service Unavailable</body></html>");
  }
}

export async function startSlackEmulator(options: EmulatorOptions = {}): Promise<SlackEmulator> {
  return new SlackEmulator(options).start();
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  return m?.[1];
}

function safeJson(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === "object" ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function parseArgs(contentType: string, raw: Buffer): Record<string, unknown> {
  const text = raw.toString("utf8");
  if (contentType.startsWith("application/json")) return safeJson(text);
  if (contentType.startsWith("multipart/form-data")) return {};
  return Object.fromEntries(new URLSearchParams(text));
}

/** The WebClient uploads the file as multipart form data; pull out the first part's body. */
function multipartFileContent(raw: Buffer): string | undefined {
  const text = raw.toString("utf8");
  const boundary = /^--([^\r\n]+)\r\n/.exec(text)?.[1];
  if (!boundary) return undefined;
  const part = text.split(`--${boundary}`)[1];
  if (!part) return undefined;
  const start = part.indexOf("\r\n\r\n");
  return start < 0 ? undefined : part.slice(start + 4).replace(/\r\n$/, "");
}
