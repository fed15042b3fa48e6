import { connect } from "node:net";
import type { ControlRequest, ControlResponse } from "./control-protocol.js";

/**
 * Sends one command to the owner. Resolves undefined when nothing listens on the socket (no owner,
 * or a file left by a killed one), so the caller can work in-process instead.
 */
export function askOwner(path: string, req: ControlRequest): Promise<ControlResponse | undefined> {
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
