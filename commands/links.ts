import { type Block, dataOf, heading, reply, table, text, withData } from "../src/chat/reply.js";
import { ageData, deviceData, portData } from "../src/management/answer-data.js";
import {
  ageBlock,
  deviceOrThrow,
  formatBps,
  formatSpeed,
  plural,
  reachabilityNote,
  since,
} from "../src/management/answers.js";
import type { PortView } from "../src/management/fleet-query-types.js";
import { defineCommand } from "./services.js";

const MAX_ROWS = 200;

const status = (p: PortView) =>
  p.adminStatus === "up" ? p.operStatus : `${p.operStatus} (admin ${p.adminStatus})`;
const errors = (p: PortView) => `${p.inErrors}/${p.outErrors}`;

export default defineCommand({
  name: "links",
  summary: "Ports of a device: status, speed, down since, errors",
  description:
    "Every port of the device from the cache: name, alias, admin/oper status, speed, how long it has been down, " +
    "input/output errors and traffic. The filter keeps ports whose name, alias or description contains it, " +
    "or is one of `down`, `up`, `errors`.",
  args: [
    { name: "device", type: "device", kind: "positional", required: true, description: "Device name" },
    {
      name: "filter",
      type: "string",
      kind: "positional",
      rest: true,
      description: "Port name/alias text, or down|up|errors",
    },
  ],
  examples: ["links core-sw1", "links core-sw1 Gi1/0/4", "links core-sw1 down", "links core-sw1 uplink"],
  sideEffects: false,
  handler(args, ctx) {
    const fleet = ctx.services.fleet;
    const now = ctx.services.clock.now();
    const name = deviceOrThrow(fleet, String(args.values.device));
    const filter = args.values.filter === undefined ? undefined : String(args.values.filter);
    const result = fleet.links(name, filter)!;
    const blocks: Block[] = [];
    const down = result.ports.filter((p) => p.adminStatus === "up" && p.operStatus !== "up").length;
    const what =
      filter && result.totalPorts > 0
        ? `${plural(result.ports.length, "port")} matching "${filter}" of ${result.totalPorts}`
        : plural(result.totalPorts, "port");
    blocks.push(heading(`${name}: ${what}${down > 0 ? `, ${down} down` : ""}`));
    const note = reachabilityNote(result.device, now);
    if (note) blocks.push(text(note));
    if (result.totalPorts === 0) {
      blocks.push(
        text(
          result.age.polledAt === null
            ? `No data yet: ${name} has not been polled. Try \`refresh ${name}\`.`
            : "The device reports no ports.",
        ),
      );
    } else if (result.ports.length === 0) {
      blocks.push(text(`No port matches "${filter}".`));
    } else {
      const rows = result.ports
        .slice(0, MAX_ROWS)
        .map((p) => [
          p.name,
          p.alias,
          status(p),
          formatSpeed(p.speedMbps),
          p.downSince === null ? "" : since(p.downSince, now),
          errors(p),
          `${formatBps(p.inBps)} / ${formatBps(p.outBps)}`,
        ]);
      const caption =
        result.ports.length > MAX_ROWS
          ? `First ${MAX_ROWS} of ${result.ports.length}; add a filter to narrow.`
          : undefined;
      blocks.push(
        table(["Port", "Alias", "Status", "Speed", "Down for", "Errors in/out", "In / Out"], rows, caption),
      );
    }
    blocks.push(ageBlock(result.age, now));
    return withData(
      reply(...blocks),
      dataOf("ports", {
        device: deviceData(result.device),
        filter: filter ?? null,
        total: result.totalPorts,
        age: ageData(result.age, now),
        ports: result.ports.map((p) => portData(p, now)),
      }),
    );
  },
});
