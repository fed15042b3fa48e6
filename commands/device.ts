import { reply } from "../src/chat/reply.js";
import { ageBlock, deviceOrThrow } from "../src/management/answers.js";
import { summaryBlocks } from "../src/management/device-answer.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "device",
  summary: "One-screen summary of a device",
  description:
    "Reachability, uptime, model, version and compliance, port and drive health, and the latest changes.",
  args: [{ name: "name", type: "device", kind: "positional", required: true, description: "Device name" }],
  examples: ["device core-sw1"],
  sideEffects: false,
  uses: [],
  handler(args, ctx) {
    const fleet = ctx.services.fleet;
    const now = ctx.services.clock.now();
    const summary = fleet.device(deviceOrThrow(fleet, String(args.values.name)))!;
    return reply(...summaryBlocks(summary, now), ageBlock(summary.age, now));
  },
});
