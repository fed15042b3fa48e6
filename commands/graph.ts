import { context, type Reply, text } from "../src/chat/reply.js";
import { parseDuration } from "../src/lib/clock.js";
import { deviceOrThrow } from "../src/management/answers.js";
import { windowOf } from "./history-common.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "graph",
  aliases: ["chart"],
  summary: "A chart of a port, drive or device over time (PNG in the thread)",
  description:
    "Traffic in/out and errors/discards per second for a port (by name or alias), temperature and sectors for a " +
    "drive, or reachability and poll time for the device itself. The range is like 6h or 7d (default 24h); gaps " +
    "show where the device was unreachable. In the console the image is saved to a file and its path printed.",
  args: [
    { name: "device", type: "device", kind: "positional", required: true, description: "Device name" },
    {
      name: "object",
      type: "string",
      kind: "positional",
      description: "Port name/alias or drive (default: device)",
    },
    {
      name: "range",
      type: "string",
      kind: "positional",
      description: "Time range, e.g. 6h, 7d (default 24h)",
    },
  ],
  examples: ["graph core-sw1 Gi1/0/1", "graph core-sw1 Te1/1/1 7d", "graph db01 6h"],
  sideEffects: false,
  async handler(args, ctx): Promise<Reply> {
    const fleet = ctx.services.fleet;
    const history = ctx.services.history;
    const device = deviceOrThrow(fleet, String(args.values.device));
    let object = args.values.object === undefined ? undefined : String(args.values.object);
    let range = args.values.range === undefined ? undefined : String(args.values.range);
    // `graph core-sw1 6h`: a lone second word that reads as a range is the range.
    if (range === undefined && object !== undefined && parseDuration(object) !== undefined) {
      range = object;
      object = undefined;
    }
    const window = windowOf(range, "24h");
    const target = history.resolveTarget(device, object);
    const chart = await history.chart(target, window.ms, window.text);
    const blocks = [text(`*${chart.title}*, last ${window.text}`)];
    if (chart.values === 0) {
      // An empty chart would read as a flat, quiet line: say there is no data instead.
      blocks.push(
        text(
          `Nothing recorded for this in the last ${window.text}. Has ${device} been polled? Try \`device ${device}\`.`,
        ),
      );
      return { blocks };
    }
    if (chart.sparkline) blocks.push(context(chart.sparkline));
    return {
      blocks,
      files: [{ filename: chart.filename, title: `${chart.title} (${window.text})`, content: chart.png }],
    };
  },
});
