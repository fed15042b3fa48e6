import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";

export type EnvelopeType = "slash_commands" | "events_api" | "interactive";

export interface Envelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

/** What happened to one delivered envelope. */
export interface AckRecord {
  envelopeId: string;
  type: EnvelopeType;
  deliveredAt: number;
  /** undefined while waiting, or when never acknowledged. */
  ackedAt?: number;
  /** The ack's payload (e.g. a slash command's immediate response). */
  ackPayload?: Record<string, unknown>;
  status: "pending" | "acked" | "late" | "missing";
}

/**
 * The Socket Mode side of the emulator: a WebSocket endpoint reached through the URL that
 * apps.connections.open returns. Sends `hello`, delivers envelopes, and checks every one is
 * acknowledged within Slack's 3 seconds (late and missing acks are recorded, never thrown).
 */
export class SocketModeEndpoint {
  readonly acks: AckRecord[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly sockets = new Set<WebSocket>();
  private readonly waiters = new Map<string, { resolve: (r: AckRecord) => void; timer: NodeJS.Timeout }>();
  private connectionWaiters: (() => void)[] = [];

  constructor(private readonly ackTimeoutMs = 3000) {}

  issueTicket(): string {
    const t = randomUUID();
    this.tickets.add(t);
    return t;
  }

  get connected(): number {
    return this.sockets.size;
  }

  /** Resolves once an app holds an open Socket Mode connection. */
  waitForConnection(): Promise<void> {
    if (this.sockets.size > 0) return Promise.resolve();
    return new Promise((resolve) => this.connectionWaiters.push(resolve));
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://emulator");
    const ticket = url.searchParams.get("ticket") ?? "";
    if (url.pathname !== "/socket" || !this.tickets.delete(ticket)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n");
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  }

  private onConnection(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on("close", () => this.sockets.delete(ws));
    ws.on("error", () => this.sockets.delete(ws));
    ws.on("message", (data) => this.onMessage(data.toString()));
    ws.send(
      JSON.stringify({
        type: "hello",
        num_connections: this.sockets.size,
        debug_info: { host: "emulator", build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: "A0OPSBOT1" },
      }),
    );
    for (const resolve of this.connectionWaiters.splice(0)) resolve();
  }

  private onMessage(text: string): void {
    let msg: { envelope_id?: string; payload?: Record<string, unknown> };
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    const record = this.acks.find((a) => a.envelopeId === msg.envelope_id);
    if (!record || record.ackedAt !== undefined) return;
    record.ackedAt = Date.now();
    if (msg.payload && Object.keys(msg.payload).length > 0) record.ackPayload = msg.payload;
    record.status = record.ackedAt - record.deliveredAt <= this.ackTimeoutMs ? "acked" : "late";
    const waiter = this.waiters.get(record.envelopeId);
    if (waiter) {
      clearTimeout(waiter.timer);
      this.waiters.delete(record.envelopeId);
      waiter.resolve(record);
    }
  }

  /**
   * Delivers an envelope to the connected app. Resolves with its ack record once acknowledged, or
   * with status "missing" after the ack deadline (a late ack still updates the record to "late").
   */
  deliver(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    options: { retryAttempt?: number; retryReason?: string } = {},
  ): Promise<AckRecord> {
    const ws = [...this.sockets][0];
    if (!ws) return Promise.reject(new Error("no Socket Mode connection to deliver to"));
    const envelope: Envelope = {
      envelope_id: randomUUID(),
      type,
      payload,
      accepts_response_payload: type !== "events_api",
      ...(options.retryAttempt !== undefined
        ? { retry_attempt: options.retryAttempt, retry_reason: options.retryReason ?? "timeout" }
        : type === "events_api"
          ? { retry_attempt: 0, retry_reason: "" }
          : {}),
    };
    const record: AckRecord = {
      envelopeId: envelope.envelope_id,
      type,
      deliveredAt: Date.now(),
      status: "pending",
    };
    this.acks.push(record);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(record.envelopeId);
        if (record.status === "pending") record.status = "missing";
        resolve(record);
      }, this.ackTimeoutMs);
      this.waiters.set(record.envelopeId, { resolve, timer });
      ws.send(JSON.stringify(envelope));
    });
  }

  /** Asks the app to reconnect, as Slack does when it recycles a connection. */
  sendDisconnect(reason = "refresh_requested"): void {
    for (const ws of this.sockets)
      ws.send(JSON.stringify({ type: "disconnect", reason, debug_info: { host: "emulator" } }));
  }

  async close(): Promise<void> {
    for (const w of this.waiters.values()) clearTimeout(w.timer);
    this.waiters.clear();
    for (const ws of this.sockets) ws.terminate();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
