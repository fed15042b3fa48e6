import { heading, reply, text, withData } from "../src/chat/reply.js";
import { drivesData } from "../src/management/answer-data.js";
import { drivesTable } from "../src/management/answer-tables.js";
import { deviceOrThrow, listAgeBlock, plural } from "../src/management/answers.js";
import { defineCommand } from "./services.js";

const MAX_ROWS = 50;

export default defineCommand({
  name: "drives",
  summary: "Drive health of a device or the fleet, failing first",
  description:
    "Per-drive status on one scale (ok / warning / failed / unknown) with the vendor's own value and detail, " +
    "from HOST-RESOURCES-MIB and the vendor tables (Dell iDRAC, HPE Smart Array, Synology, NetApp).",
  args: [{ name: "device", type: "device", kind: "positional", description: "Device name (default: all)" }],
  examples: ["drives", "drives db01"],
  sideEffects: false,
  uses: [],
  handler(args, ctx) {
    const fleet = ctx.services.fleet;
    const now = ctx.services.clock.now();
    const device =
      args.values.device === undefined ? undefined : deviceOrThrow(fleet, String(args.values.device));
    const result = fleet.drives({ scope: device ? { device } : undefined, limit: MAX_ROWS });
    const where = device ?? "the fleet";
    const data = drivesData(device ?? null, result, now);
    if (result.total === 0) {
      return withData(reply(text(`No drives reported for ${where}.`), listAgeBlock(result, now)), data);
    }
    const failing = result.items.filter((d) => d.status !== "ok").length;
    const title = `${plural(result.total, "drive")} on ${device ?? plural(result.devices, "device")}${failing > 0 ? `, ${failing} need attention` : ", all ok"}`;
    return withData(
      reply(heading(title), drivesTable(result, now, !device), listAgeBlock(result, now)),
      data,
    );
  },
});
