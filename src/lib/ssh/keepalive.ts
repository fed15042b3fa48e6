import type { Socket } from "node:net";

/**
 * How long a silent SSH connection is trusted. opsbot (through ssh2) sends a keepalive request every
 * `intervalMs`; the server answers each one, so a live connection is never silent much longer than one
 * interval. Silence for `intervalMs × countMax` means the server, or the path to it, is gone: the
 * connection is closed, and a command still running on it has an unknown outcome.
 *
 * ssh2's own counter is not used for the verdict: it counts unanswered pings from the last *answer*,
 * which takes (countMax + 1) intervals (the issue's 58 s for 15 s × 3), and ignores channel data.
 * Here every byte received counts, and the deadline is armed for exactly interval × count of silence.
 */
export interface Keepalive {
  intervalMs: number;
  /** At least 2: with 1, a ping answered a round-trip late would already count as silence. */
  countMax: number;
}

export const DEFAULT_KEEPALIVE: Keepalive = { intervalMs: 15_000, countMax: 3 };

/**
 * Watches `sock` for silence (see Keepalive); when the limit passes, destroys it with an error saying
 * so — ssh2 then reports the error and closes the client and its channels. Returns a stop function;
 * the watch also ends by itself when the socket closes.
 */
export function watchSilence(sock: Socket, keepalive: Keepalive, who: string): () => void {
  const limit = keepalive.intervalMs * keepalive.countMax;
  let last = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const heard = () => {
    last = performance.now();
  };
  const stop = () => {
    clearTimeout(timer);
    sock.off("data", heard);
    sock.off("close", stop);
  };
  const check = (confirming = false) => {
    const silent = performance.now() - last;
    if (silent < limit) {
      arm(limit - silent);
      return;
    }
    if (!confirming) {
      // Timers run before I/O in a loop turn: after a stalled event loop, bytes may be waiting unread.
      // One I/O phase later (setImmediate) they have been seen, or the silence is real.
      setImmediate(() => check(true));
      return;
    }
    stop();
    sock.destroy(new ConnectionSilentError(silenceMessage(who, silent, keepalive)));
  };
  const arm = (ms: number) => {
    timer = setTimeout(() => check(), Math.max(1, Math.ceil(ms)));
    timer.unref();
  };
  sock.on("data", heard);
  sock.once("close", stop);
  arm(limit);
  return stop;
}

export class ConnectionSilentError extends Error {}

function silenceMessage(who: string, silentMs: number, k: Keepalive): string {
  const s = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;
  return `no answer from ${who} for ${s(silentMs)} (keepalive ${s(k.intervalMs)} × ${k.countMax})`;
}
