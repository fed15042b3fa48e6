import { shellQuote } from "../shell.js";

/**
 * How a command line reaches the target.
 *
 * Closing a channel does not stop the remote process: sshd only closes its pipes (a `sleep` never
 * notices), and the "signal" channel request that ssh2 sends on timeout is ignored by OpenSSH for root
 * logins ("session signalling requires privilege separation"). So on posix targets the command line
 * carries its own guards:
 *
 * - a watchdog in the background blocks reading the channel's stdin, which sshd closes when the channel
 *   closes (our timeout, an abort, or the connection dying). If the command is still running then, the
 *   watchdog kills the session's process group. The command itself reads /dev/null (commands are not
 *   interactive: one that would prompt fails at once instead of hanging until its timeout);
 * - the target's own `timeout`, when it has one, a little longer than the local timer so the local timer
 *   normally wins and the result says timedOut. Whether the target has one that takes GNU/modern BusyBox
 *   arguments is probed once per connection (TIMEOUT_PROBE, see runner.ts), not before every command:
 *   each probe is one more process on the target and a few ms on every step. Without it the command
 *   runs unwrapped.
 *
 * The command runs under `sh -c`. Targets with shell "none" (network OS CLIs such as IOS or JunOS,
 * which are not a POSIX shell) get the command verbatim: only the local timer and the signal apply.
 */
export type RemoteShell = "posix" | "none";

/** Extra seconds the remote `timeout` allows beyond the local timer. */
const REMOTE_GRACE_S = 2;
/** Seconds between the remote TERM and KILL. */
const REMOTE_KILL_AFTER_S = 5;

/**
 * `$$` in the background list is the wrapper's pid, which `exec` hands to the command: if it is still
 * alive when stdin closes, the command outlived its channel. Its output goes to /dev/null so it never
 * holds the channel open after the command exits.
 */
const WATCHDOG =
  "exec 3<&0; { read -r _ <&3; kill -0 $$ 2>/dev/null && kill -KILL 0; } </dev/null >/dev/null 2>&1 & exec 3<&-;";

/** Exits 0 when the target has a `timeout` that takes `-k` (GNU coreutils, modern BusyBox). */
export const TIMEOUT_PROBE = `timeout -k ${REMOTE_KILL_AFTER_S} 1 true </dev/null >/dev/null 2>&1`;

/**
 * The line sent for `command`. `remoteTimeout`: the connection's probe found a usable `timeout`
 * (ignored without a time limit or on shell "none").
 */
export function remoteCommand(
  command: string,
  shell: RemoteShell,
  timeoutMs: number | undefined,
  remoteTimeout: boolean,
): string {
  if (shell === "none") return command;
  const quoted = shellQuote(command);
  if (timeoutMs === undefined || timeoutMs <= 0 || !remoteTimeout) {
    return `${WATCHDOG} exec sh -c ${quoted} </dev/null`;
  }
  const seconds = Math.ceil(timeoutMs / 1000) + REMOTE_GRACE_S;
  return `${WATCHDOG} exec timeout -k ${REMOTE_KILL_AFTER_S} ${seconds} sh -c ${quoted} </dev/null`;
}

/** Does this command line need the connection's TIMEOUT_PROBE answer? */
export function needsTimeoutProbe(shell: RemoteShell, timeoutMs: number | undefined): boolean {
  return shell !== "none" && timeoutMs !== undefined && timeoutMs > 0;
}
