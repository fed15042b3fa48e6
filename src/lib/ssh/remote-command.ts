import { shellQuote } from "../shell.js";

/**
 * How a command line reaches the target.
 *
 * Closing a channel does not stop the remote process: sshd only closes its pipes (a `sleep` never
 * notices), and the "signal" channel request that ssh2 sends on timeout is ignored by OpenSSH for root
 * logins ("session signalling requires privilege separation"). So on posix targets the login shell
 * forks a watchdog and then `exec`s `sh -c <command>` (stdin /dev/null: commands are not interactive,
 * one that would prompt fails at once instead of hanging until its timeout). The command's own path is
 * two processes, sshd's session child becoming the login shell becoming `sh`; its exit status and exit
 * signal are the channel's; `wait` in the command never waits for the watchdog (not its child).
 *
 * The watchdog, beside the command:
 * - blocks reading the channel's stdin, which sshd closes when the channel closes (our timeout, an
 *   abort, or the connection dying). If the command is still running then, it kills the session's
 *   process group: sshd starts every session with setsid, so that is the command and all it started;
 * - with a time limit, also keeps a remote deadline a little later than the local timer (so the local
 *   timer normally wins and the result says timedOut): the group gets TERM, KILL REMOTE_KILL_AFTER_S
 *   later. That stops the command when the connection is gone without sshd noticing. The deadline is
 *   the login shell's own `read -t` (bash, ksh, zsh, BusyBox ash: no process at all); a shell without
 *   it (dash refuses the option with status 2) uses the target's `timeout` around a `cat` of stdin; a
 *   target with neither keeps only the stdin watch. Decided on the target, inside the watchdog: no
 *   probe before the first command and nothing on the command's path.
 *
 * Targets with shell "none" (network OS CLIs such as IOS or JunOS, which are not a POSIX shell) get the
 * command verbatim: only the local timer and the signal apply.
 */
export type RemoteShell = "posix" | "none";

/** Extra seconds the remote deadline allows beyond the local timer. */
const REMOTE_GRACE_S = 2;
/** Seconds between the remote TERM and KILL. */
const REMOTE_KILL_AFTER_S = 5;

/** `$$` is the login shell's pid, which `exec` hands to the command: alive = the command is running. */
const KILL_IF_RUNNING = "kill -0 $$ && kill -KILL 0";

/**
 * Waits for stdin's end or `seconds`; leaves `s` > 123 when the time ran out (read -t: 128 + SIGALRM;
 * timeout: 124). `timeout` exits 0 when cat saw the end, 125–127 when it is missing or unusable (then
 * the plain read waits for the channel).
 */
function waitWithDeadline(seconds: number): string {
  return (
    `read -t ${seconds} -r _ <&3; s=$?; ` +
    `[ $s -eq 2 ] && { timeout ${seconds} cat <&3; s=$?; [ $s -eq 124 ] || { [ $s -le 1 ] || read -r _ <&3; s=0; }; }; ` +
    `[ $s -gt 123 ] && { trap '' TERM; kill -0 $$ && kill -TERM 0 && sleep ${REMOTE_KILL_AFTER_S}; }; `
  );
}

/**
 * The line sent for `command` (a time limit of 0 or undefined: no remote deadline). The watchdog's
 * own output goes to /dev/null, so it never holds the channel open once the command has exited; it
 * ignores the TERM it sends its own group, so it lives to send the KILL.
 */
export function remoteCommand(command: string, shell: RemoteShell, timeoutMs: number | undefined): string {
  if (shell === "none") return command;
  const wait =
    timeoutMs !== undefined && timeoutMs > 0
      ? waitWithDeadline(Math.ceil(timeoutMs / 1000) + REMOTE_GRACE_S)
      : "read -r _ <&3; ";
  return `exec 3<&0 </dev/null; { ${wait}${KILL_IF_RUNNING}; } >/dev/null 2>&1 & exec 3<&-; exec sh -c ${shellQuote(command)}`;
}
