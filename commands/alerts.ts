import { alertsTable } from "../src/management/alerts/answers.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "alerts",
  summary: "Open alerts, optionally of one device or tag",
  description:
    "Lists pending, firing and flapping alerts from the store, with who acked them and whether a silence or maintenance window holds them back.",
  args: [{ name: "scope", type: "string", kind: "positional", description: "device name or tag" }],
  examples: ["alerts", "alerts core-sw1", "alerts network"],
  sideEffects: false,
  handler(args, ctx) {
    const scope = args.values.scope === undefined ? undefined : String(args.values.scope);
    return alertsTable(ctx.services.alerts.list(scope), ctx.services.clock.now(), scope);
  },
});
