/**
 * The SSH port used by the whole project (management collectors, backups, runbook steps).
 * Host keys are always pinned; an unknown or mismatched key fails before any authentication.
 */
import type { Keepalive } from "./keepalive.js";

export interface SshTarget {
  /** Device name, for messages. */
  name: string;
  host: string;
  port: number;
  user: string;
  /** Pinned key line "ssh-ed25519 AAAA…" — or knownHosts. */
  hostKey?: string;
  knownHosts?: string;
  keyFile?: string;
  passphrase?: string;
  connectTimeoutMs: number;
  /** Liveness of an open connection (keepalive.ts). Default 15 s × 3. */
  keepalive?: Keepalive;
  /**
   * "posix" (default): commands run under `sh -c`, inside the target's `timeout` when it has one.
   * "none": sent verbatim, for network OS CLIs that are not a POSIX shell (see remote-command.ts).
   */
  shell?: "posix" | "none";
  /** Defaults for ExecOptions.timeoutMs / maxOutputBytes when a call does not set them. */
  commandTimeoutMs?: number;
  maxOutputBytes?: number;
}

export interface ExecOptions {
  /**
   * Local timer that closes the channel; on posix targets also the remote deadline (remote-command.ts).
   * Default: the target's commandTimeoutMs, else 60 s. 0 = no time limit.
   */
  timeoutMs?: number;
  /** Output beyond this is dropped from the front: the tail is kept. */
  maxOutputBytes?: number;
  onData?(chunk: string, stream: "stdout" | "stderr"): void;
  /** Abort closes the channel and signals the remote process. */
  signal?: AbortSignal;
}

export interface ExecResult {
  exitCode: number | null;
  /** Remote signal name when killed by one. */
  signal?: string;
  stdout: string;
  stderr: string;
  /** Output exceeded maxOutputBytes and the head was dropped. */
  truncated: boolean;
  /**
   * The connection died while the command ran (keepalive silence, reset, closed) before any exit
   * status arrived: the remote command may have finished, failed or still be running — unknown.
   * Holds the reason. Never set when the command's own exit status or signal was received.
   */
  connectionLost?: string;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
}

export interface SshRunner {
  exec(target: SshTarget, command: string, options?: ExecOptions): Promise<ExecResult>;
  /**
   * Prepares target's connection in the background (handshake, one-time probes) because a command is
   * expected soon. Never throws and never reports: a failure shows up at the next exec.
   */
  warm?(target: SshTarget): void;
  /** Close pooled connections. */
  close(): Promise<void>;
}
