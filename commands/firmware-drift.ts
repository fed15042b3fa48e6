import { heading, reply, text, withData } from "../src/chat/reply.js";
import { firmwareListData } from "../src/management/answer-data.js";
import { firmwareTable } from "../src/management/answer-tables.js";
import { emptyFleetReply, listAgeBlock, plural } from "../src/management/answers.js";
import { defineCommand } from "./services.js";

const MAX_ROWS = 50;

export default defineCommand({
  name: "firmware drift",
  summary: "Devices whose firmware is below or off their baseline",
  args: [],
  examples: ["firmware drift"],
  sideEffects: false,
  uses: [],
  handler(_args, ctx) {
    const fleet = ctx.services.fleet;
    const now = ctx.services.clock.now();
    const empty = emptyFleetReply(fleet);
    if (empty) return empty;
    const result = fleet.firmware({ driftOnly: true, limit: MAX_ROWS });
    if (result.total === 0) {
      const all = fleet.firmware({ limit: 0 });
      return withData(
        reply(
          text("No drift: every device with a baseline runs a compliant version."),
          listAgeBlock(all, now),
        ),
        firmwareListData(null, result, now),
      );
    }
    return withData(
      reply(
        heading(`${plural(result.total, "device")} off baseline`),
        firmwareTable(result),
        listAgeBlock(result, now),
      ),
      firmwareListData(null, result, now),
    );
  },
});
