import { defineCommand } from "../src/chat/command.js";
import { heading, reply, table, text } from "../src/chat/reply.js";
import { fleetOf, listAgeBlock, plural, scopeLabel, scopeOrThrow } from "../src/management/answers.js";
import type { FirmwareView, ListResult } from "../src/management/fleet-view.js";

const STATUS_TEXT: Record<FirmwareView["compliance"]["status"], string> = {
  compliant: "✅ compliant",
  below: "❌ below baseline",
  mismatch: "❌ not the required version",
  unknown: "❓ version unknown",
  "no-baseline": "— no baseline",
};

const MAX_ROWS = 50;

function firmwareTable(result: ListResult<FirmwareView>) {
  const rows = result.items.map((f) => {
    const b = f.compliance.baseline;
    return [
      f.device,
      f.model ?? "?",
      f.version ?? "?",
      b ? `${b.rule === "min" ? "≥" : "="} ${b.version}` : "",
      STATUS_TEXT[f.compliance.status],
    ];
  });
  const caption =
    result.total > result.items.length
      ? `First ${result.items.length} of ${result.total}, drift first.`
      : undefined;
  return table(["Device", "Model", "Version", "Baseline", "Compliance"], rows, caption);
}

export const firmwareCommand = defineCommand({
  name: "firmware",
  summary: "Firmware/software versions and compliance with the baselines",
  description:
    "Versions from ENTITY-MIB (or parsed from sysDescr), judged against `firmware_baselines` in the config: " +
    "a minimum or an exact version per model, compared the way the vendor numbers releases.",
  args: [
    {
      name: "scope",
      type: "string",
      kind: "positional",
      description: "A device, tag or site (default: all)",
    },
  ],
  examples: ["firmware", "firmware core-sw1", "firmware core"],
  sideEffects: false,
  handler(args, ctx) {
    const fleet = fleetOf(ctx.services);
    const now = ctx.services.clock.now();
    const scope =
      args.values.scope === undefined ? undefined : scopeOrThrow(fleet, String(args.values.scope));
    const result = fleet.firmware({ scope, limit: Number.POSITIVE_INFINITY });
    if (result.total === 0)
      return reply(text(`No devices in ${scopeLabel(scope)}.`), listAgeBlock(result, now));
    const off = result.items.filter((f) => ["below", "mismatch"].includes(f.compliance.status)).length;
    const shown = { ...result, items: result.items.slice(0, MAX_ROWS) };
    const title = `Firmware in ${scopeLabel(scope)}: ${plural(result.total, "device")}${off > 0 ? `, ${off} not compliant` : ""}`;
    return reply(heading(title), firmwareTable(shown), listAgeBlock(result, now));
  },
});

export const firmwareDriftCommand = defineCommand({
  name: "firmware drift",
  summary: "Devices whose firmware is below or off their baseline",
  args: [],
  examples: ["firmware drift"],
  sideEffects: false,
  handler(_args, ctx) {
    const fleet = fleetOf(ctx.services);
    const now = ctx.services.clock.now();
    const result = fleet.firmware({ driftOnly: true, limit: MAX_ROWS });
    if (result.total === 0) {
      const all = fleet.firmware({ limit: 0 });
      return reply(
        text("No drift: every device with a baseline runs a compliant version."),
        listAgeBlock(all, now),
      );
    }
    return reply(
      heading(`${plural(result.total, "device")} off baseline`),
      firmwareTable(result),
      listAgeBlock(result, now),
    );
  },
});
