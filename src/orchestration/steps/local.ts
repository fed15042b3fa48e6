import { spawn } from "node:child_process";
import { renderShell } from "../template.js";
import type { StepExecutor } from "./types.js";

/**
 * Runs a local step (only when orchestration.allow_local is on; the plan refuses it otherwise) under
 * /bin/sh in its own process group, so a cancel or timeout stops the whole tree: TERM to the group,
 * KILL after a grace period.
 */
export function createLocalExecutor(
  deps: { shell?: string; killGraceMs?: number; env?: NodeJS.ProcessEnv } = {},
): StepExecutor {
  const shell = deps.shell ?? "/bin/sh";
  const grace = deps.killGraceMs ?? 5000;
  return (ctx) =>
    new Promise((resolve) => {
      const command = renderShell(ctx.node.step.local!.command, ctx.vars);
      if (ctx.signal.aborted) return resolve({ status: "cancelled" });
      const child = spawn(shell, ["-c", command], {
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: deps.env ?? process.env,
      });
      let killTimer: NodeJS.Timeout | undefined;
      const killGroup = (signal: NodeJS.Signals) => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, signal);
        } catch {
          // Already gone.
        }
      };
      const onAbort = () => {
        killGroup("SIGTERM");
        killTimer = setTimeout(() => killGroup("SIGKILL"), grace);
        killTimer.unref();
      };
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      child.stdout.setEncoding("utf8").on("data", (d: string) => ctx.output(d, "stdout"));
      child.stderr.setEncoding("utf8").on("data", (d: string) => ctx.output(d, "stderr"));
      child.once("error", (err) => {
        ctx.signal.removeEventListener("abort", onAbort);
        resolve({ status: "failed", error: `cannot start ${shell}: ${err.message}` });
      });
      child.once("close", (code, signal) => {
        ctx.signal.removeEventListener("abort", onAbort);
        if (killTimer) clearTimeout(killTimer);
        // Make sure nothing the command left behind in its group outlives the step.
        killGroup("SIGKILL");
        if (ctx.signal.aborted) return resolve({ status: "cancelled", exitCode: code });
        if (code === 0) return resolve({ status: "succeeded", exitCode: 0 });
        resolve({
          status: "failed",
          exitCode: code,
          error: code === null ? `killed by ${signal ?? "a signal"}` : `exit code ${code}`,
        });
      });
    });
}
