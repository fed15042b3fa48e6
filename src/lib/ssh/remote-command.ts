import { shellQuote } from "../shell.js";

/**
 * How a command line reaches the target.
 *
 * Closing a channel does not stop the remote process: sshd only closes its pipes (a `sleep` never
 * notices), and the "signal" channel request that ssh2 sends on timeout is ignored by OpenSSH for root
 * logins ("session signalling requires privilege separation"). So on posix targets the command line
 * carries its own guard, a watchdog forked by the login shell before it `exec`s `sh -c <command>`:
 *
 * - it blocks reading the channel's stdin, which sshd closes when the channel closes (our timeout, an
 *   abort, or the connection dying). If the command is still running then, it kills the session's
 *   process group (sshd starts every session with setsid: the command and everything it started). The
 *   command itself reads /dev/null (commands are not interactive: one that would prompt fails at once
 *   instead of hanging until its timeout);
 * - with a time limit it also keeps the remote deadline, a little later than the local timer so the
 *   local timer normally wins and the result says timedOut: at the deadline the group gets TERM, and
 *   KILL REMOTE_KILL_AFTER_S later. That is what stops the command when the connection is gone without
 *   sshd noticing. The deadline is the login shell's own `read -t` when it has one (bash, ksh, zsh,
 *   BusyBox ash: no extra process), else the target's `timeout` around a `cat` of stdin (dash as login
 *   shell), else there is no remote deadline. Which one is probed once per connection (REMOTE_PROBE,
 *   see timeout-probe.ts), not before every command.
 *
 * The command's own path is the login shell `exec`ing `sh -c` (two processes: the watchdog runs beside
 * it, off the critical path), its exit status and exit signal are the channel's, and `wait` in the
 * command never waits for the watchdog (it is not the command shell's child).
 *
 * Targets with shell "none" (network OS CLIs such as IOS or JunOS, which are not a POSIX shell) get the
 * command verbatim: only the local timer and the signal apply.
 */
export type RemoteShell = "posix" | "none";

/** How the target keeps a remote deadline (REMOTE_PROBE's answer). */
export type RemoteDeadline = "read-t" | "timeout" | "none";

/** Extra seconds the remote deadline allows beyond the local timer. */
const REMOTE_GRACE_S = 2;
/** Seconds between the remote TERM and KILL. */
const REMOTE_KILL_AFTER_S = 5;

/**
 * Exits 0 when the login shell's `read` takes `-t` (it returns 1 at the end of /dev/null; dash refuses
 * the option with 2), 3 when it does not but the target has a `timeout` that takes `-k` (GNU coreutils,
 * modern BusyBox), 1 otherwise.
 */
export const REMOTE_PROBE =
  "read -t 1 -r _ </dev/null 2>/dev/null; [ $? -eq 1 ] && exit 0; " +
  `timeout -k ${REMOTE_KILL_AFTER_S} 1 true </dev/null >/dev/null 2>&1 && exit 3; exit 1`;

export function probeAnswer(exitCode: number | null): RemoteDeadline {
  if (exitCode === 0) return "read-t";
  if (exitCode === 3) return "timeout";
  return "none";
}

/**
 * `$$` in the watchdog is the login shell's pid, which `exec` hands to the command: while it is alive
 * the command is running. `kill -KILL 0` reaches the whole session's group (the watchdog included, last).
 * At the deadline the watchdog ignores the TERM it sends its own group, so it lives to send the KILL.
 */
function watchdog(deadline: RemoteDeadline, seconds: number | undefined): string {
  const kill = "kill -0 $$ 2>/dev/null && kill -KILL 0";
  const term = `trap '' TERM; kill -0 $$ 2>/dev/null && kill -TERM 0 && sleep ${REMOTE_KILL_AFTER_S}`;
  let body: string;
  if (seconds === undefined || deadline === "none") body = `read -r _ <&3; ${kill};`;
  // read -t: >128 when the time ran out; timeout: 124.
  else if (deadline === "read-t") body = `read -t ${seconds} -r _ <&3; [ $? -gt 128 ] && { ${term}; }; ${kill};`;
  else body = `timeout ${seconds} cat <&3 >/dev/null; [ $? -eq 124 ] && { ${term}; }; ${kill};`;
  return `exec 3<&0 </dev/null; { ${body} } >/dev/null 2>&1 & exec 3<&-;`;
}

/**
 * The line sent for `command`. `deadline`: the connection's probe answer (ignored without a time limit
 * or on shell "none").
 */
export function remoteCommand(
  command: string,
  shell: RemoteShell,
  timeoutMs: number | undefined,
  deadline: RemoteDeadline,
): string {
  if (shell === "none") return command;
  const limited = timeoutMs !== undefined && timeoutMs > 0;
  const seconds = limited ? Math.ceil(timeoutMs / 1000) + REMOTE_GRACE_S : undefined;
  return `${watchdog(deadline, seconds)} exec sh -c ${shellQuote(command)}`;
}

/** Does this command line need the connection's REMOTE_PROBE answer? */
export function needsTimeoutProbe(shell: RemoteShell, timeoutMs: number | undefined): boolean {
  return shell !== "none" && timeoutMs !== undefined && timeoutMs > 0;
}
