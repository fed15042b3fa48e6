import { context, heading, reply, table, text } from "../src/chat/reply.js";
import { since as ago, scopeLabel, scopeOrThrow } from "../src/management/answers.js";
import { windowOf } from "./history-common.js";
import { defineCommand } from "./services.js";

const LIMIT = 20;

export default defineCommand({
  name: "flaps",
  summary: "Ports that changed state most, fleet-wide",
  description:
    "Ports ranked by how often their oper status changed in the window (default 24h), with how many of those " +
    "changes went down, the last change and the state now. Optionally for one device, tag or site.",
  args: [
    {
      name: "since",
      type: "string",
      kind: "positional",
      description: "Look back this far, e.g. 6h, 7d (default 24h)",
    },
    {
      name: "scope",
      type: "string",
      kind: "option",
      description: "A device, tag or site (default: the fleet)",
    },
  ],
  examples: ["flaps", "flaps 7d", "flaps 6h --scope core"],
  sideEffects: false,
  handler(args, ctx) {
    const fleet = ctx.services.fleet;
    const history = ctx.services.history;
    const now = ctx.services.clock.now();
    const window = windowOf(args.values.since === undefined ? undefined : String(args.values.since), "24h");
    const scope =
      args.values.scope === undefined ? undefined : scopeOrThrow(fleet, String(args.values.scope));
    const rows = history.timeline.flaps(now - window.ms, LIMIT, scope);
    const where = scopeLabel(scope);
    if (rows.length === 0) {
      const polled = fleet.fleet().age.polledAt !== null;
      return reply(
        text(
          polled
            ? `No port changed state in ${where} in the last ${window.text}.`
            : `No data: no device in ${where} has been polled yet, so nothing can be said about flapping.`,
        ),
      );
    }
    return reply(
      heading(`Ports that changed state most in ${where}, last ${window.text}`),
      table(
        ["Device", "Port", "Alias", "Changes", "Downs", "Last change", "Now"],
        rows.map((r) => [
          r.device,
          r.port,
          r.alias ?? "",
          String(r.changes),
          String(r.downs),
          `${ago(r.lastAt, now)} ago`,
          r.operStatus ?? "(gone)",
        ]),
      ),
      context(
        `Top ${LIMIT} by number of changes · \`changes <device>\` shows the timeline, \`graph <device> <port>\` the traffic`,
      ),
    );
  },
});
