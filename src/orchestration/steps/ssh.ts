import type { SshRunner, SshTarget } from "../../lib/ssh/types.js";
import { renderShell } from "../template.js";
import type { StepExecutor } from "./types.js";

/**
 * Runs an ssh step through the SshRunner port (pinned host keys; fails closed). The command is
 * rendered here, with every parameter single-quoted, and never logged unredacted.
 */
export function createSshExecutor(deps: {
  ssh: SshRunner;
  /** Connection details for a configured device; undefined when it has no ssh section. */
  targetFor(device: string): SshTarget | undefined;
  maxOutputBytes: number;
}): StepExecutor {
  const run: StepExecutor = async (ctx) => {
    const device = ctx.node.on?.name;
    let target: SshTarget | undefined;
    try {
      target = device === undefined ? undefined : deps.targetFor(device);
    } catch (err) {
      return { status: "failed", error: (err as Error).message };
    }
    if (!target)
      return { status: "failed", error: `device ${device ?? "?"} has no ssh settings in the config` };
    const command = renderShell(ctx.node.step.ssh!.command, ctx.vars);
    try {
      const r = await deps.ssh.exec(target, command, {
        // The engine's timer aborts the step; passing the same limit also arms the remote deadline
        // (remote-command.ts), so the remote process dies even if the connection is gone. 0 = no limit.
        timeoutMs: ctx.node.timeoutMs ?? 0,
        maxOutputBytes: deps.maxOutputBytes,
        signal: ctx.signal,
        onData: (chunk, stream) => ctx.output(chunk, stream),
      });
      if (r.aborted || ctx.signal.aborted) return { status: "cancelled", exitCode: r.exitCode };
      if (r.connectionLost !== undefined) {
        // No exit status came back: the command may have run to the end, failed, or still be running.
        return {
          status: "interrupted",
          error: `connection to ${device} lost — outcome unknown (${r.connectionLost})`,
        };
      }
      if (r.timedOut) return { status: "failed", exitCode: r.exitCode, error: "timed out" };
      if (r.exitCode === 0) return { status: "succeeded", exitCode: 0 };
      const why = r.exitCode === null ? `killed by ${r.signal ?? "a signal"}` : `exit code ${r.exitCode}`;
      return { status: "failed", exitCode: r.exitCode, error: why };
    } catch (err) {
      if (ctx.signal.aborted) return { status: "cancelled" };
      return { status: "failed", error: `ssh ${device}: ${(err as Error).message}` };
    }
  };
  run.warm = (node) => {
    const device = node.on?.name;
    if (device === undefined || !deps.ssh.warm) return;
    try {
      const target = deps.targetFor(device);
      if (target) deps.ssh.warm(target);
    } catch {
      // A device without usable ssh settings fails with a clear message when its step runs.
    }
  };
  return run;
}
