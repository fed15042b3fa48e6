import { heading, reply, text, withData } from "../src/chat/reply.js";
import { firmwareListData } from "../src/management/answer-data.js";
import { firmwareTable } from "../src/management/answer-tables.js";
import { listAgeBlock, plural, scopeLabel, scopeOrThrow } from "../src/management/answers.js";
import { defineCommand } from "./services.js";

const MAX_ROWS = 50;

export default defineCommand({
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
  uses: [],
  handler(args, ctx) {
    const fleet = ctx.services.fleet;
    const now = ctx.services.clock.now();
    const scope =
      args.values.scope === undefined ? undefined : scopeOrThrow(fleet, String(args.values.scope));
    const result = fleet.firmware({ scope, limit: Number.POSITIVE_INFINITY });
    const data = firmwareListData(scope ?? null, result, now);
    if (result.total === 0)
      return withData(reply(text(`No devices in ${scopeLabel(scope)}.`), listAgeBlock(result, now)), data);
    const off = result.items.filter((f) => ["below", "mismatch"].includes(f.compliance.status)).length;
    const shown = { ...result, items: result.items.slice(0, MAX_ROWS) };
    const title = `Firmware in ${scopeLabel(scope)}: ${plural(result.total, "device")}${off > 0 ? `, ${off} not compliant` : ""}`;
    return withData(reply(heading(title), firmwareTable(shown), listAgeBlock(result, now)), data);
  },
});
