import { dataOf, fields, heading, reply, text, withData } from "../src/chat/reply.js";
import { ageData } from "../src/management/answer-data.js";
import { emptyFleetReply, listAgeBlock, plural } from "../src/management/answers.js";
import { formatAgo } from "../src/management/freshness.js";
import type { SourceStatus } from "../src/management/sources/source-status.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "fleet",
  summary: "Counts: devices, reachable, ports down, drives failing, firmware off baseline",
  examples: ["fleet"],
  sideEffects: false,
  uses: [],
  handler(_args, ctx) {
    const fleet = ctx.services.fleet;
    const now = ctx.services.clock.now();
    const empty = emptyFleetReply(fleet);
    if (empty) return empty;
    const c = fleet.fleet();
    const reach = [`${c.reachable} of ${c.devices}`];
    if (c.unreachable > 0) reach.push(`${c.unreachable} not answering`);
    if (c.neverPolled > 0) reach.push(`${c.neverPolled} not polled yet`);
    const data = dataOf("fleet", {
      devices: c.devices,
      reachable: c.reachable,
      unreachable: c.unreachable,
      neverPolled: c.neverPolled,
      stale: c.stale,
      portsDown: c.portsDown,
      drivesFailed: c.drivesFailed,
      drivesWarning: c.drivesWarning,
      firmwareNonCompliant: c.firmwareNonCompliant,
      firmwareUnknown: c.firmwareUnknown,
      age: ageData(c.age, now),
    });
    const answer = reply(
      heading(`Fleet: ${plural(c.devices, "device")}`),
      fields({
        Reachable: reach.join(", "),
        "Ports down": `${c.portsDown} (admin up, oper down) — \`links down\``,
        Drives: `${c.drivesFailed} failed, ${c.drivesWarning} warning — \`drives failing\``,
        Firmware: `${c.firmwareNonCompliant} off baseline${c.firmwareUnknown > 0 ? `, ${c.firmwareUnknown} unknown` : ""} — \`firmware drift\``,
        "Stale data":
          c.stale === 0 ? "none" : `${plural(c.stale, "device")} with data older than two poll intervals`,
        ...sourceFields(fleet.sources(), now),
      }),
      ...(c.removed > 0
        ? [
            text(
              `${plural(c.removed, "device")} removed from the config ${c.removed === 1 ? "is" : "are"} not counted (history kept until retention).`,
            ),
          ]
        : []),
      listAgeBlock({ age: c.age, staleCount: 0, staleDevices: [] }, now),
    );
    // A failing inventory source keeps its last list: say so, or the fleet reads as complete.
    const health = ctx.services.inventory.health();
    if (!health.ok)
      answer.blocks.splice(2, 0, text(`Inventory: ${health.problems.join("; ")} — \`inventory\``));
    return withData(answer, data);
  },
});

/** One line per fleet data source: ok with its device count, or its error and when it last answered. */
function sourceFields(sources: SourceStatus[], now: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sources) {
    out[`Source ${s.name}`] = s.ok
      ? `ok, ${plural(s.devices, "device")}, read ${formatAgo(now - s.checkedAt)} ago`
      : `⚠ failing: ${s.error ?? "unknown error"} — last good read ${s.lastOkAt === null ? "never" : `${formatAgo(now - s.lastOkAt)} ago`}; its devices keep their last data (shown stale)`;
  }
  return out;
}
