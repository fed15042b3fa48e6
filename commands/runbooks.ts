import { renderRunbookList } from "../src/orchestration/presenters/runbook-list.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "runbooks",
  summary: "List the runbooks you can run, with their parameters",
  description:
    "Runbooks are YAML files under the runbooks directory, reloaded when they change. A file that stops validating keeps its last valid version active; its problems are listed here.",
  examples: ["runbooks"],
  sideEffects: false,
  handler: (_args, ctx) => {
    const o = ctx.services.orchestration;
    return renderRunbookList(o.runbooks(), o.problems());
  },
});
