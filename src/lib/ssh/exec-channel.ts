import { StringDecoder } from "node:string_decoder";
import type { Client, ClientChannel } from "ssh2";
import type { Clock } from "../clock.js";
import { TailBuffer } from "./tail-buffer.js";
import type { ExecResult } from "./types.js";

/** After we close a channel, wait this long for the server's close before giving up on it. */
const CLOSE_GRACE_MS = 2_000;

export interface ChannelExecOptions {
  /** 0 = no local timer. */
  timeoutMs: number;
  maxOutputBytes: number;
  onData?(chunk: string, stream: "stdout" | "stderr"): void;
  signal?: AbortSignal;
  clock: Clock;
}

/** The channel could not be opened: the command never started, so it is safe to retry elsewhere. */
export class ChannelOpenError extends Error {}

/**
 * Runs one command on an open connection. Commands are not interactive: no stdin is sent.
 * On timeout or abort the remote process group gets SIGKILL (OpenSSH ≥ 7.9 honours the "signal"
 * request) and the channel is closed; the result says which, and keeps the tail of the output.
 * When the connection itself dies before the command's exit status arrives, the result says
 * `connectionLost` (with the reason): a remote exit *signal* is an outcome, a lost connection is not.
 */
export function execOnClient(
  client: Client,
  command: string,
  options: ChannelExecOptions,
): Promise<ExecResult> {
  const started = options.clock.now();
  return new Promise<ExecResult>((resolve, reject) => {
    try {
      client.exec(command, (err, ch) => {
        if (err) {
          reject(new ChannelOpenError(err.message));
          return;
        }
        run(ch);
      });
    } catch (err) {
      reject(new ChannelOpenError((err as Error).message));
      return;
    }

    function run(ch: ClientChannel): void {
      const out = new TailBuffer(options.maxOutputBytes);
      const err = new TailBuffer(options.maxOutputBytes);
      const outText = new StringDecoder("utf8");
      const errText = new StringDecoder("utf8");
      let exitCode: number | null = null;
      let exitSignal: string | undefined;
      let timedOut = false;
      let aborted = false;
      let done = false;
      let graceTimer: NodeJS.Timeout | undefined;
      let connectionError: string | undefined;
      let connectionClosed = false;
      const onClientError = (e: Error) => {
        connectionError ??= e.message;
      };
      const onClientClose = () => {
        connectionClosed = true;
      };
      client.on("error", onClientError);
      client.once("close", onClientClose);

      const stop = (why: "timeout" | "abort") => {
        if (done) return;
        if (why === "timeout") timedOut = true;
        else aborted = true;
        try {
          ch.signal("KILL");
        } catch {
          // The server may already be closing the channel; closing below is enough.
        }
        ch.close();
        graceTimer = setTimeout(finish, CLOSE_GRACE_MS);
      };
      const timer = options.timeoutMs > 0 ? setTimeout(() => stop("timeout"), options.timeoutMs) : undefined;
      const onAbort = () => stop("abort");
      options.signal?.addEventListener("abort", onAbort, { once: true });

      function finish(): void {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearTimeout(graceTimer);
        options.signal?.removeEventListener("abort", onAbort);
        client.off("error", onClientError);
        client.off("close", onClientClose);
        const result: ExecResult = {
          exitCode,
          stdout: out.toString(),
          stderr: err.toString(),
          truncated: out.truncated || err.truncated,
          timedOut,
          aborted,
          durationMs: options.clock.now() - started,
        };
        if (exitSignal !== undefined) result.signal = exitSignal;
        const noOutcome = exitCode === null && exitSignal === undefined && !timedOut && !aborted;
        if (noOutcome && (connectionClosed || connectionError !== undefined))
          result.connectionLost = connectionError ?? "the connection closed";
        resolve(result);
      }

      ch.on("data", (chunk: Buffer) => {
        out.push(chunk);
        if (options.onData) options.onData(outText.write(chunk), "stdout");
      });
      ch.stderr.on("data", (chunk: Buffer) => {
        err.push(chunk);
        if (options.onData) options.onData(errText.write(chunk), "stderr");
      });
      ch.on("exit", (code: number | null, signalName?: string) => {
        if (typeof code === "number") exitCode = code;
        if (signalName) exitSignal = signalName;
      });
      ch.on("close", finish);
      ch.on("error", () => finish());
      // No ch.end(): ssh2 only sends the "signal" request on a still-writable channel. Stdin comes from
      // /dev/null on posix targets instead (remote-command.ts).
      if (options.signal?.aborted) stop("abort");
    }
  });
}
