import { defineCommand } from "../src/chat/command.js";
import { heading, reply, table, text } from "../src/chat/reply.js";
import {
  ageCell,
  deviceOrThrow,
  fleetOf,
  formatBytes,
  listAgeBlock,
  plural,
  since,
} from "../src/management/answers.js";
import type { DriveView, ListResult } from "../src/management/fleet-view.js";

const MAX_ROWS = 50;
const ICON: Record<DriveView["status"], string> = { failed: "🔴", warning: "🟠", unknown: "⚪", ok: "🟢" };

const detailText = (d: DriveView) =>
  [
    d.model,
    d.capacityBytes === null ? null : formatBytes(d.capacityBytes),
    ...Object.entries(d.detail ?? {}).map(([k, v]) => `${k}=${v}`),
  ]
    .filter((s) => s !== null && s !== "")
    .join(", ");

function drivesTable(result: ListResult<DriveView>, now: number, withDevice: boolean) {
  const rows = result.items.map((d) => [
    ...(withDevice ? [d.device] : []),
    d.name,
    `${ICON[d.status]} ${d.status}`,
    d.rawStatus,
    d.source,
    detailText(d),
    since(d.statusSince, now),
    ageCell(d.polledAt, d.intervalMs, now),
  ]);
  const caption =
    result.total > result.items.length
      ? `First ${result.items.length} of ${result.total}, failing first.`
      : undefined;
  return table(
    [
      ...(withDevice ? ["Device"] : []),
      "Drive",
      "Status",
      "Vendor status",
      "Source",
      "Detail",
      "Status for",
      "Data age",
    ],
    rows,
    caption,
  );
}

export const drivesCommand = defineCommand({
  name: "drives",
  summary: "Drive health of a device or the fleet, failing first",
  description:
    "Per-drive status on one scale (ok / warning / failed / unknown) with the vendor's own value and detail, " +
    "from HOST-RESOURCES-MIB and the vendor tables (Dell iDRAC, HPE Smart Array, Synology, NetApp).",
  args: [{ name: "device", type: "device", kind: "positional", description: "Device name (default: all)" }],
  examples: ["drives", "drives db1"],
  sideEffects: false,
  handler(args, ctx) {
    const fleet = fleetOf(ctx.services);
    const now = ctx.services.clock.now();
    const device =
      args.values.device === undefined ? undefined : deviceOrThrow(fleet, String(args.values.device));
    const result = fleet.drives({ scope: device ? { device } : undefined, limit: MAX_ROWS });
    const where = device ?? "the fleet";
    if (result.total === 0) {
      return reply(text(`No drives reported for ${where}.`), listAgeBlock(result, now));
    }
    const failing = result.items.filter((d) => d.status !== "ok").length;
    const title = `${plural(result.total, "drive")} on ${device ?? plural(result.devices, "device")}${failing > 0 ? `, ${failing} need attention` : ", all ok"}`;
    return reply(heading(title), drivesTable(result, now, !device), listAgeBlock(result, now));
  },
});

export const drivesFailingCommand = defineCommand({
  name: "drives failing",
  summary: "Drives that are failed, degraded or unknown, fleet-wide",
  args: [],
  examples: ["drives failing"],
  sideEffects: false,
  handler(_args, ctx) {
    const fleet = fleetOf(ctx.services);
    const now = ctx.services.clock.now();
    const result = fleet.drives({ failingOnly: true, limit: MAX_ROWS });
    if (result.total === 0) {
      const all = fleet.drives({ limit: 0 });
      return reply(
        text(`No failing drives: all ${plural(all.total, "drive")} report ok.`),
        listAgeBlock(all, now),
      );
    }
    return reply(
      heading(`${plural(result.total, "drive")} need attention on ${plural(result.devices, "device")}`),
      drivesTable(result, now, true),
      listAgeBlock(result, now),
    );
  },
});
