import { parseDuration } from "../../lib/clock.js";
import type { Sleep, StepExecutor } from "./types.js";

/** A wait step: sleeps through the injected timer (tests pass a fast one); cancel cuts it short. */
export function createWaitExecutor(deps: { sleep: Sleep }): StepExecutor {
  return async (ctx) => {
    const ms = parseDuration(ctx.node.step.wait ?? "0s") ?? 0;
    await deps.sleep(ms, ctx.signal);
    return ctx.signal.aborted ? { status: "cancelled" } : { status: "succeeded" };
  };
}
