import type { ChatPort } from "../../chat/port.js";
import { text } from "../../chat/reply.js";
import { renderText } from "../template.js";
import type { StepExecutor } from "./types.js";

/**
 * A notify step posts a message through the chat port: to a configured channel, or into the run's
 * thread (its channel when no thread is known yet). The text is redacted like output.
 */
export function createNotifyExecutor(deps: {
  chat: ChatPort;
  /** Logical channel name → transport channel (config `channels`). */
  channels: Readonly<Record<string, string>>;
  defaultChannel?: string;
}): StepExecutor {
  return async (ctx) => {
    const spec = ctx.node.step.notify!;
    const message = ctx.redact(renderText(spec.message, ctx.vars));
    const logical = spec.channel ?? deps.defaultChannel;
    const channel = logical === undefined ? ctx.run.channel : (deps.channels[logical] ?? logical);
    const inThread = logical === undefined && ctx.run.threadTs !== null;
    try {
      await deps.chat.post(
        channel,
        { blocks: [text(message)] },
        inThread ? { threadTs: ctx.run.threadTs! } : undefined,
      );
      ctx.output(`${message}\n`, "stdout");
      return { status: "succeeded" };
    } catch (err) {
      return { status: "failed", error: `could not post to ${channel}: ${(err as Error).message}` };
    }
  };
}
