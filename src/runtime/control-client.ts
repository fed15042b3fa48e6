import { existsSync } from "node:fs";
import type { ControlRequest, ControlResponse } from "./control-protocol.js";

/**
 * Sends one command to the owner. Resolves undefined when nothing listens on the socket (no owner,
 * or a file left by a killed one), so the caller can work in-process instead.
 */
export async function askOwner(path: string, req: ControlRequest): Promise<ControlResponse | undefined> {
  // No socket file: nothing can listen there (a path socket, not Linux's abstract "\0name" ones), so
  // no connect attempt, and node:net is not even loaded (it is a few ms of a cold `opsbot ask`).
  if (!path.startsWith("\0") && !existsSync(path)) return undefined;
  const { connect } = await import("node:net");
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let buf = "";
    let connected = false;
    socket.setEncoding("utf8");
    socket.on("connect", () => {
      connected = true;
      socket.write(`${JSON.stringify(req)}\n`);
    });
    socket.on("data", (chunk: string) => {
      buf += chunk;
    });
    socket.on("end", () => {
      try {
        resolve(JSON.parse(buf) as ControlResponse);
      } catch {
        reject(new Error(`the owner closed the control socket ${path} without a reply`));
      }
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      if (!connected && (err.code === "ENOENT" || err.code === "ECONNREFUSED")) resolve(undefined);
      else reject(new Error(`control socket ${path}: ${err.message}`));
    });
  });
}
