import { type Clock, systemClock } from "../clock.js";
import { OpsbotError } from "../errors.js";
import type { Logger } from "../logger.js";
import { connectSsh } from "./connect.js";
import { ChannelOpenError, execOnClient } from "./exec-channel.js";
import { type PoolStats, SshPool } from "./pool.js";
import { remoteCommand } from "./remote-command.js";
import type { ExecOptions, ExecResult, SshRunner, SshTarget } from "./types.js";

export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 1_048_576;

export interface SshRunnerOptions {
  logger: Logger;
  clock?: Clock;
  /** Concurrent commands per host on its one connection (OpenSSH allows 10 sessions by default). */
  maxChannelsPerHost?: number;
  /** Close a host's connection after this long without commands. */
  idleMs?: number;
}

export interface PooledSshRunner extends SshRunner {
  stats(): PoolStats;
}

/**
 * The project's SSH runner: pinned host keys (connect.ts), one pooled connection per host (pool.ts),
 * per-command timeouts and tail-keeping output caps (exec-channel.ts).
 *
 * Connection failures (refused host key, unreachable, authentication) reject with an OpsbotError;
 * a command that ran — whatever its exit status, timed out or aborted — resolves with an ExecResult.
 */
export function createSshRunner(options: SshRunnerOptions): PooledSshRunner {
  const clock = options.clock ?? systemClock;
  const pool = new SshPool({
    connect: (target) => connectSsh(target, options.logger),
    logger: options.logger,
    maxChannels: options.maxChannelsPerHost ?? 4,
    idleMs: options.idleMs ?? 30_000,
  });

  async function exec(
    target: SshTarget,
    command: string,
    execOptions: ExecOptions = {},
  ): Promise<ExecResult> {
    const timeoutMs = execOptions.timeoutMs ?? target.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const maxOutputBytes = execOptions.maxOutputBytes ?? target.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    if (execOptions.signal?.aborted) return abortedBeforeStart();
    const shell = target.shell ?? "posix";
    const channelOptions = {
      timeoutMs,
      maxOutputBytes,
      clock,
      ...(execOptions.onData ? { onData: execOptions.onData } : {}),
      ...(execOptions.signal ? { signal: execOptions.signal } : {}),
    };
    // One retry, only when a reused connection could not even open a channel (it died while idle):
    // the command never started, so running it on a fresh connection cannot run it twice.
    for (let attempt = 0; ; attempt++) {
      try {
        return await pool.with(target, async (lease) => {
          try {
            return await execOnClient(lease.client, remoteCommand(command, shell, timeoutMs), channelOptions);
          } catch (err) {
            if (err instanceof ChannelOpenError) lease.discard();
            if (err instanceof ChannelOpenError && lease.reused && attempt === 0)
              throw new RetryFresh(err.message, { cause: err });
            throw err;
          }
        });
      } catch (err) {
        if (err instanceof RetryFresh) {
          options.logger.debug(
            { device: target.name, err: err.message },
            "ssh channel failed on a reused connection",
          );
          continue;
        }
        if (err instanceof ChannelOpenError) {
          throw new OpsbotError(
            "UNAVAILABLE",
            `Cannot open an SSH channel to ${target.name}: ${err.message}.`,
            {
              cause: err,
            },
          );
        }
        throw err;
      }
    }
  }

  function warm(target: SshTarget): void {
    void pool.warm(target).catch(() => undefined);
  }

  return {
    exec,
    warm,
    close: () => pool.close(),
    stats: () => pool.stats(),
  };
}

class RetryFresh extends Error {}

function abortedBeforeStart(): ExecResult {
  return {
    exitCode: null,
    stdout: "",
    stderr: "",
    truncated: false,
    timedOut: false,
    aborted: true,
    durationMs: 0,
  };
}
