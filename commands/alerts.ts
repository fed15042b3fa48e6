import { alertsTable } from "../src/management/alerts/answers.js";
import { emptyFleetReply, scopeOrThrow } from "../src/management/answers.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "alerts",
  summary: "Open alerts, optionally of one device, tag or site",
  description:
    'Lists pending, firing and flapping alerts from the store, with who acked them and whether a silence or maintenance window holds them back. An unknown device, tag or site is an error (with a "did you mean"), never an empty list.',
  args: [{ name: "scope", type: "string", kind: "positional", description: "device name, tag or site" }],
  examples: ["alerts", "alerts db01", "alerts core"],
  sideEffects: false,
  handler(args, ctx) {
    const fleet = ctx.services.fleet;
    const empty = emptyFleetReply(fleet);
    if (empty) return empty;
    const scope =
      args.values.scope === undefined ? undefined : scopeOrThrow(fleet, String(args.values.scope));
    const word = scope === undefined ? undefined : Object.values(scope)[0];
    return alertsTable(ctx.services.alerts.list(word), ctx.services.clock.now(), word);
  },
});
