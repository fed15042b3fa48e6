import { dataOf, heading, reply, table, text, withData } from "../src/chat/reply.js";
import { listMeta, portData } from "../src/management/answer-data.js";
import {
  ageCell,
  emptyFleetReply,
  listAgeBlock,
  plural,
  scopeLabel,
  scopeOrThrow,
  since,
} from "../src/management/answers.js";
import type { PortView } from "../src/management/fleet-query-types.js";
import { defineCommand } from "./services.js";

const MAX_DOWN_ROWS = 50;

const errors = (p: PortView) => `${p.inErrors}/${p.outErrors}`;

export default defineCommand({
  name: "links down",
  summary: "Ports that are admin up but oper down, fleet-wide",
  description:
    "Ports that should be up (admin up) but are not (oper down), across the fleet or for one tag, site or device, " +
    "most recently down first. Each row shows the age of its data; ⚠ marks data older than two poll intervals.",
  args: [
    {
      name: "scope",
      type: "string",
      kind: "positional",
      description: "A tag, site or device (default: all)",
    },
  ],
  examples: ["links down", "links down core", "links down hq"],
  sideEffects: false,
  uses: [],
  handler(args, ctx) {
    const fleet = ctx.services.fleet;
    const now = ctx.services.clock.now();
    const scope =
      args.values.scope === undefined ? undefined : scopeOrThrow(fleet, String(args.values.scope));
    const empty = emptyFleetReply(fleet);
    if (empty) return empty;
    const result = fleet.linksDown(scope, MAX_DOWN_ROWS);
    const where = scopeLabel(scope);
    const data = dataOf("ports_down", {
      scope: scope ?? null,
      ...listMeta(result, now),
      ports: result.items.map((p) => portData(p, now)),
    });
    if (result.total === 0) {
      return withData(
        reply(text(`No ports down in ${where}: every admin-up port is up.`), listAgeBlock(result, now)),
        data,
      );
    }
    const rows = result.items.map((p) => [
      p.device,
      p.name,
      p.alias,
      p.operStatus,
      since(p.downSince, now),
      errors(p),
      ageCell(p.polledAt, p.intervalMs, now),
    ]);
    const caption =
      result.total > result.items.length
        ? `Most recent ${result.items.length} of ${result.total}.`
        : undefined;
    return withData(
      reply(
        heading(`${plural(result.total, "port")} down on ${plural(result.devices, "device")} in ${where}`),
        table(["Device", "Port", "Alias", "Oper", "Down for", "Errors in/out", "Data age"], rows, caption),
        listAgeBlock(result, now),
      ),
      data,
    );
  },
});
