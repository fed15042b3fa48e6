import { text } from "../src/chat/reply.js";
import { renderRun } from "../src/orchestration/presenters/run-status.js";
import { protectSecrets, runIdOf } from "./orchestration-common.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "resume",
  summary: "Continue an interrupted run (needs a fresh approval)",
  description:
    "The interrupted step runs again unless you pass --skip-interrupted (you checked it completed). Secret parameters are never stored: give them again as key=value.",
  args: [
    { name: "id", type: "string", kind: "positional", required: true, description: "run id" },
    {
      name: "skip-interrupted",
      type: "bool",
      kind: "flag",
      description: "treat the interrupted step as done",
    },
  ],
  allowExtraOptions: true,
  examples: ["resume 12", "resume 12 --skip-interrupted", "resume 12 token=…"],
  sideEffects: true,
  handler: (args, ctx) => {
    const o = ctx.services.orchestration;
    const id = runIdOf(args.values.id);
    protectSecrets(ctx, o.view(id)?.run.runbook, args.extra);
    const r = o.resume(id, ctx.user, {
      params: args.extra,
      skipInterrupted: args.values["skip-interrupted"] === true,
    });
    const reply = renderRun(o.view(id)!, ctx.services.clock.now());
    reply.blocks.unshift(
      text(r.approvalId !== undefined ? `Run ${id} will resume once approved.` : `Run ${id} resumed.`),
    );
    reply.isError = false;
    return reply;
  },
});
