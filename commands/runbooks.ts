import { renderRunbookList } from "../src/orchestration/presenters/runbook-list.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "runbooks",
  summary: "List the runbooks you can run, with their parameters",
  description:
    "Runbooks are YAML files under the runbooks directory, reloaded when they change. Only those whose runners include you are listed (admins see all); Where shows a runbook's channel scope. A file that stops validating keeps its last valid version active; its problems are listed here.",
  examples: ["runbooks"],
  sideEffects: false,
  handler: async (_args, ctx) => {
    const o = ctx.services.orchestration;
    const all = o.runbooks();
    const mine = await o.access.requestable(all, ctx.user, ctx.where);
    return renderRunbookList(mine, o.problems(), {
      hidden: all.length - mine.length,
      channels: ctx.services.config.channels,
    });
  },
});
