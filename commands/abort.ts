import { text } from "../src/chat/reply.js";
import { renderRun } from "../src/orchestration/presenters/run-status.js";
import { runIdOf } from "./orchestration-common.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "abort",
  summary: "End an interrupted or waiting run without running anything more",
  description:
    "For a run interrupted by a restart (a step's outcome is unknown): nothing is run, not even rollbacks; the run ends aborted and releases its locks. Check the target by hand first.",
  args: [{ name: "id", type: "string", kind: "positional", required: true, description: "run id" }],
  examples: ["abort 12"],
  sideEffects: true,
  handler: (args, ctx) => {
    const o = ctx.services.orchestration;
    const row = o.abort(runIdOf(args.values.id), ctx.user);
    const reply = renderRun(o.view(row.id)!, ctx.services.clock.now());
    reply.blocks.unshift(text(`Run ${row.id} aborted.`));
    reply.isError = false;
    return reply;
  },
});
