import { withData } from "../src/chat/reply.js";
import { NotFoundError } from "../src/lib/errors.js";
import { runStatusData } from "../src/orchestration/presenters/run-data.js";
import { renderRun } from "../src/orchestration/presenters/run-status.js";
import { runIdOf } from "./orchestration-common.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "run status",
  summary: "A run's checklist: each step's status, duration and errors, with the latest output",
  args: [{ name: "id", type: "string", kind: "positional", required: true, description: "run id" }],
  examples: ["run status 12"],
  sideEffects: false,
  handler: (args, ctx) => {
    const o = ctx.services.orchestration;
    const id = runIdOf(args.values.id);
    const view = o.view(id);
    if (!view) throw new NotFoundError(`No run ${id}.`, ["`runs` lists recent runs"]);
    // The most interesting output: the running step, else the last one that failed, else the last that ran.
    const ran = view.steps.filter((s) => s.startedAt !== null);
    const focus =
      ran.find((s) => s.status === "running") ??
      [...ran].reverse().find((s) => s.status === "failed" || s.status === "interrupted") ??
      ran.at(-1);
    const tail = focus ? o.outputTail(id, focus.key, 1500) : "";
    return withData(
      renderRun(view, ctx.services.clock.now(), tail ? { outputTail: tail, tailStep: focus!.key } : {}),
      runStatusData(view),
    );
  },
});
