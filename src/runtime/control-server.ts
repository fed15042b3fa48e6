import { chmodSync, existsSync, unlinkSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import type { Router } from "../chat/router.js";
import type { ChatUser } from "../lib/actor.js";
import { OpsbotError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import {
  type ControlRequest,
  type ControlResponse,
  MAX_REQUEST_BYTES,
  MAX_SOCKET_PATH,
} from "./control-protocol.js";
import type { Part } from "./lifecycle.js";

export interface ControlServerOptions {
  path: string;
  logger: Logger;
  /** The current router and identity (both follow config reloads). */
  router(): Router;
  identify(name: string): ChatUser;
  channel(): string;
}

/**
 * The owner's control socket (see control-protocol.ts for the trust model). Started only while the
 * lease is held, so a leftover socket file from a killed owner is ours to replace. Stop closes the
 * listener and waits for the requests being handled.
 */
export function createControlServer(o: ControlServerOptions): Part {
  let server: Server | undefined;
  const inFlight = new Set<Promise<void>>();
  const sockets = new Set<Socket>();

  const handle = async (line: string): Promise<ControlResponse> => {
    let req: ControlRequest;
    try {
      req = JSON.parse(line) as ControlRequest;
      if (req.v !== 1 || typeof req.text !== "string" || typeof req.user !== "string") throw new Error();
    } catch {
      return { ok: false, pid: process.pid, error: "malformed control request" };
    }
    const result = await o.router().handle(req.text, {
      user: o.identify(req.user),
      channel: o.channel(),
      transport: "cli",
    });
    return {
      ok: true,
      pid: process.pid,
      outcome: result.outcome,
      reply: result.reply,
      ...(result.command ? { command: result.command } : {}),
    };
  };

  const onConnection = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let buf = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf("\n");
      if (nl < 0) {
        if (buf.length > MAX_REQUEST_BYTES) socket.destroy();
        return;
      }
      socket.removeAllListeners("data");
      const job = handle(buf.slice(0, nl))
        .catch((err: unknown): ControlResponse => {
          o.logger.error({ err }, "control request failed");
          return { ok: false, pid: process.pid, error: (err as Error).message };
        })
        .then((res) => {
          socket.end(`${JSON.stringify(res)}\n`);
        });
      inFlight.add(job);
      void job.finally(() => inFlight.delete(job));
    });
  };

  return {
    name: "control",
    process: true,
    async start() {
      if (server) return;
      if (o.path.length > MAX_SOCKET_PATH) {
        throw new OpsbotError(
          "CONFIG_INVALID",
          `The control socket path ${o.path} is longer than ${MAX_SOCKET_PATH} bytes: set owner.socket in opsbot.yaml to a shorter path.`,
        );
      }
      // We hold the lease: a socket file left here belongs to an owner that is gone.
      if (existsSync(o.path)) unlinkSync(o.path);
      const s = createServer(onConnection);
      const oldMask = process.umask(0o177);
      try {
        await new Promise<void>((resolve, reject) => {
          s.once("error", reject);
          s.listen(o.path, () => {
            s.off("error", reject);
            resolve();
          });
        });
      } finally {
        process.umask(oldMask);
      }
      chmodSync(o.path, 0o600);
      s.on("error", (err) => o.logger.error({ err }, "control socket error"));
      server = s;
      o.logger.info({ socket: o.path }, "control socket listening");
    },
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      await Promise.all([...inFlight]);
      for (const socket of sockets) socket.destroy();
      await closed;
      try {
        unlinkSync(o.path);
      } catch {
        // already gone
      }
    },
  };
}
