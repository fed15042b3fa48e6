/**
 * The SSH client every subsystem uses. Build one runner in the composition root:
 *
 *   const ssh = createSshRunner({ logger, clock });
 *   const result = await ssh.exec(sshTargetFor(device), `systemctl restart ${shellQuote(unit)}`, {
 *     timeoutMs: 120_000,
 *   });
 *
 * exec() rejects (OpsbotError) only when no command could run: HOST_KEY_REJECTED, TIMEOUT (handshake),
 * UNAVAILABLE (unreachable, authentication), CONFIG_INVALID (key file). A command that ran resolves with
 * its exit code — check `exitCode`, `timedOut`, `aborted`, `truncated`.
 */
export { fingerprint, keyLine, parseKeyLine } from "./host-keys.js";
export { type ScannedKey, scanHostKeys } from "./keyscan.js";
export type { PoolStats } from "./pool.js";
export {
  createSshRunner,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_MAX_OUTPUT_BYTES,
  type PooledSshRunner,
  type SshRunnerOptions,
} from "./runner.js";
export { sshTargetFor } from "./target.js";
export type { ExecOptions, ExecResult, SshRunner, SshTarget } from "./types.js";
