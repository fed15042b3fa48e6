import { withData } from "../src/chat/reply.js";
import { runListData } from "../src/orchestration/presenters/run-data.js";
import { renderRunList } from "../src/orchestration/presenters/run-list.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "runs",
  summary: "Recent runbook runs, or only the active ones",
  args: [
    {
      name: "which",
      type: "enum",
      kind: "positional",
      choices: ["active", "all"],
      default: "all",
      description: "active: waiting, running or interrupted runs",
    },
    { name: "limit", type: "int", kind: "option", default: 20, description: "how many" },
  ],
  examples: ["runs", "runs active"],
  sideEffects: false,
  handler: (args, ctx) => {
    const active = args.values.which === "active";
    const rows = ctx.services.orchestration.runs({
      active,
      limit: Math.min(200, Math.max(1, Number(args.values.limit))),
    });
    return withData(
      renderRunList(rows, ctx.services.clock.now(), active ? "Active runs" : "Recent runs"),
      runListData(rows, active),
    );
  },
});
