import { reply, text } from "../src/chat/reply.js";
import { formatDuration } from "../src/lib/clock.js";
import { ageBlock, deviceOrThrow, plural } from "../src/management/answers.js";
import { summaryBlocks } from "../src/management/device-answer.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "refresh",
  summary: "Poll a device now and answer when done",
  description:
    "Polls the device right away (joining a poll already running) and shows its summary from the fresh data.",
  args: [{ name: "device", type: "device", kind: "positional", required: true, description: "Device name" }],
  examples: ["refresh core-sw1"],
  sideEffects: true,
  role: "oncall",
  async handler(args, ctx) {
    const fleet = ctx.services.fleet;
    const name = deviceOrThrow(fleet, String(args.values.device));
    const outcome = await ctx.services.poller.refresh(name);
    const now = ctx.services.clock.now();
    const summary = fleet.device(name)!;
    const result = outcome.reachable
      ? `Polled ${name} in ${formatDuration(outcome.durationMs)}: ${plural(outcome.changes, "change")} recorded.`
      : `Polled ${name}: not answering (${outcome.error ?? "no response"}).`;
    const r = reply(text(result), ...summaryBlocks(summary, now), ageBlock(summary.age, now));
    if (!outcome.reachable) r.isError = true;
    return r;
  },
});
