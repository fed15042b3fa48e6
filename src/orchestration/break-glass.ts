import type { ChatPort } from "../chat/port.js";
import { context, type Reply, text } from "../chat/reply.js";
import type { Config } from "../config/schema.js";
import type { ChatUser } from "../lib/actor.js";
import type { Logger } from "../lib/logger.js";
import type { DecisionResult } from "./journal-approvals.js";

/**
 * Break-glass approval, made loud: the decision (an override recorded with its reason in the run's
 * journal), then a marked message in the run's thread and a post to the announce channel. The caller
 * has checked the break-glass role and that a reason was given; the chat audit row carries the reason.
 */
export interface BreakGlassDeps {
  config: Pick<Config, "channels" | "approvals">;
  chat: ChatPort;
  logger: Logger;
  decide(input: {
    approvalId: number;
    user: ChatUser;
    decision: "approve";
    override: { reason: string };
  }): DecisionResult;
  parentMessage(runId: number): { channel: string; ts: string } | undefined;
}

export async function breakGlass(
  deps: BreakGlassDeps,
  input: { approvalId: number; runId: number; runbook: string; user: ChatUser; reason: string },
): Promise<DecisionResult> {
  const r = deps.decide({
    approvalId: input.approvalId,
    user: input.user,
    decision: "approve",
    override: { reason: input.reason },
  });
  if (r.outcome !== "approved") return r;
  const glass = deps.config.approvals.break_glass;
  const mark: Reply = {
    blocks: [
      text(
        `🔨 BREAK-GLASS: ${input.user.name} approved run ${input.runId} (${input.runbook}) outside its approval policy.`,
      ),
      context(`Reason: ${input.reason}`),
    ],
  };
  const parent = deps.parentMessage(input.runId);
  const posts: Promise<unknown>[] = [];
  if (parent) posts.push(deps.chat.post(parent.channel, mark, { threadTs: parent.ts }));
  if (glass) {
    const announce = deps.config.channels[glass.announce] ?? glass.announce;
    posts.push(deps.chat.post(announce, mark));
  }
  for (const p of await Promise.allSettled(posts)) {
    if (p.status === "rejected")
      deps.logger.error(
        { err: String(p.reason), runId: input.runId },
        "could not announce a break-glass approval",
      );
  }
  return r;
}
