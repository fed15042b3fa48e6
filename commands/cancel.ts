import { text } from "../src/chat/reply.js";
import { renderRun } from "../src/orchestration/presenters/run-status.js";
import { runIdOf } from "./orchestration-common.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "cancel",
  summary: "Cancel a run: stop its running steps and run their rollback steps",
  description:
    "The requester, an approver of the runbook or an admin may cancel. A run still waiting for approval is simply withdrawn.",
  args: [{ name: "id", type: "string", kind: "positional", required: true, description: "run id" }],
  examples: ["cancel 12"],
  sideEffects: true,
  handler: (args, ctx) => {
    const o = ctx.services.orchestration;
    const row = o.cancel(runIdOf(args.values.id), ctx.user);
    const reply = renderRun(o.view(row.id)!, ctx.services.clock.now());
    reply.blocks.unshift(
      text(
        row.status === "running"
          ? `Cancelling run ${row.id}: stopping steps, then rollbacks.`
          : `Run ${row.id} cancelled.`,
      ),
    );
    reply.isError = false;
    return reply;
  },
});
