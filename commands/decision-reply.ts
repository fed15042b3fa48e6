import { errorReply, type Reply, text } from "../src/chat/reply.js";
import type { ChatUser } from "../src/lib/actor.js";
import type { DecisionResult } from "../src/orchestration/journal-approvals.js";
import { targetApproval } from "../src/orchestration/presenters/approval-text.js";
import type { OrchestrationService } from "../src/orchestration/service.js";

/**
 * One chat decision (button or typed `approve`/`reject`), start to finish: pick the approval the click
 * is about, let the store decide (compare-and-set), and say what happened. Everyone sees a decision
 * that counted; whoever lost a race, clicked twice, came too late or may not decide is told privately.
 */
export function decideFromChat(
  o: OrchestrationService,
  input: { runId: number; approvalId?: number; user: ChatUser; decision: "approve" | "reject" },
): Reply {
  const view = o.view(input.runId);
  if (!view) return privately(errorReply(`There is no run ${input.runId}; \`runs\` lists recent runs.`));
  const target = targetApproval(view, input.approvalId);
  if (!target.ok) return privately(errorReply(target.reason));
  const what = target.approval.stepKey
    ? `step ${target.approval.stepKey} of run ${input.runId}`
    : `run ${input.runId} (${view.run.runbook})`;
  const r = o.decide({ approvalId: target.approval.id, user: input.user, decision: input.decision });
  return decisionReply(r, what, input.decision, input.user.name);
}

export function decisionReply(
  r: DecisionResult,
  what: string,
  decision: "approve" | "reject",
  who: string,
): Reply {
  switch (r.outcome) {
    case "approved":
      return { blocks: [text(`✓ ${capital(what)} approved by ${r.decidedBy}.`)] };
    case "rejected":
      return { blocks: [text(`✗ ${capital(what)} rejected by ${r.decidedBy}.`)] };
    case "counted":
      return {
        blocks: [
          text(
            `${capital(what)}: ${who} approved (${r.approvals} of ${r.needed}); waiting for more approvers.`,
          ),
        ],
      };
    case "duplicate":
      return privately(
        errorReply(
          `You already ${r.previous === "approve" ? "approved" : "rejected"} ${what}; clicking again changes nothing.`,
        ),
      );
    case "already_decided":
      return privately(
        errorReply(
          `Too late to ${decision} ${what}: it was already ${r.status}${r.decidedBy ? ` by ${r.decidedBy}` : ""}.`,
        ),
      );
    case "expired":
      return privately(errorReply(`The request for ${what} has expired; ask for a new run.`));
    case "not_allowed":
      return privately(errorReply(`You can't ${decision} ${what}: ${r.reason}.`));
    case "not_found":
      return privately(errorReply(`That approval no longer exists.`));
  }
}

const privately = (r: Reply): Reply => ({ ...r, ephemeral: true });
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
