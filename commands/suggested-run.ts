import type { Reply } from "../src/chat/reply.js";
import { shellQuote } from "../src/lib/shell.js";
import type { ClickContext } from "./services.js";

/**
 * A suggested runbook's button: re-enters the chat pipeline with the `run` command, as the clicking
 * user in the alert's thread — the same binding, permission check, request → approval path and audit
 * as typing it, never starting a run directly. Every value is shell-quoted for the tokenizer.
 */
export function requestSuggestedRun(
  ctx: ClickContext,
  suggestion: { runbook: string; params: Record<string, string> },
): Promise<Reply> {
  const params = Object.entries(suggestion.params).map(([k, v]) => `${k}=${shellQuote(v)}`);
  const threadTs = ctx.message?.threadTs ?? ctx.message?.ts;
  return ctx.command(`run ${shellQuote(suggestion.runbook)} ${params.join(" ")}`.trim(), {
    channel: ctx.message?.channel ?? ctx.channel,
    ...(threadTs ? { threadTs } : {}),
  });
}
