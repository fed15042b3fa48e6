import { heading, reply, text, withData } from "../src/chat/reply.js";
import { drivesData } from "../src/management/answer-data.js";
import { drivesTable } from "../src/management/answer-tables.js";
import { emptyFleetReply, listAgeBlock, plural } from "../src/management/answers.js";
import { defineCommand } from "./services.js";

const MAX_ROWS = 50;

export default defineCommand({
  name: "drives failing",
  summary: "Drives that are failed, degraded or unknown, fleet-wide",
  args: [],
  examples: ["drives failing"],
  sideEffects: false,
  uses: [],
  handler(_args, ctx) {
    const fleet = ctx.services.fleet;
    const now = ctx.services.clock.now();
    const empty = emptyFleetReply(fleet);
    if (empty) return empty;
    const result = fleet.drives({ failingOnly: true, limit: MAX_ROWS });
    if (result.total === 0) {
      const all = fleet.drives({ limit: 0 });
      return withData(
        reply(
          text(
            all.total === 0
              ? "No drives reported by any device."
              : `No failing drives: all ${plural(all.total, "drive")} report ok.`,
          ),
          listAgeBlock(all, now),
        ),
        drivesData(null, result, now),
      );
    }
    return withData(
      reply(
        heading(`${plural(result.total, "drive")} need attention on ${plural(result.devices, "device")}`),
        drivesTable(result, now, true),
        listAgeBlock(result, now),
      ),
      drivesData(null, result, now),
    );
  },
});
