import { code, context, heading, reply, text } from "../src/chat/reply.js";
import { formatAge } from "../src/lib/clock.js";
import { backupDeviceOrThrow } from "../src/management/backups/answers.js";
import { defineCommand } from "./services.js";

/** Chat messages have a size limit; a longer diff is cut with a note. */
const MAX_DIFF_LINES = 200;

export default defineCommand({
  name: "backup diff",
  summary: "Unified diff of a device's current config against an earlier version",
  description:
    "`n` counts back from the current version: 1 (default) is the previous one. See `backups <device>`.",
  args: [
    { name: "device", type: "device", kind: "positional", required: true, description: "Device name" },
    { name: "n", type: "int", kind: "positional", default: 1, description: "Versions back to compare with" },
  ],
  examples: ["backup diff core-sw1", "backup diff core-sw1 3"],
  sideEffects: false,
  handler(args, ctx) {
    const backups = ctx.services.backups;
    const device = backupDeviceOrThrow(backups, String(args.values.device));
    const back = Number(args.values.n);
    if (!Number.isInteger(back) || back < 1)
      return reply(text("n must be 1 or more (1 = the previous version)."));
    const d = backups.diff(device, back);
    if (!d) {
      const have = backups.versions(device).length;
      return reply(
        text(
          `${device} has ${have} stored version${have === 1 ? "" : "s"}: nothing ${back} back to compare with.`,
        ),
      );
    }
    const now = ctx.services.clock.now();
    const title = `${device}: version ${back} back (${formatAge(now - d.from.takenAt)}) → current (${formatAge(now - d.to.takenAt)})`;
    if (d.patch === "") return reply(heading(title), text("No differences."));
    const lines = d.patch.split("\n");
    const shown = lines.length > MAX_DIFF_LINES ? lines.slice(0, MAX_DIFF_LINES) : lines;
    return reply(
      heading(title),
      code(shown.join("\n")),
      context(
        `+${d.added} −${d.removed} lines` +
          (shown.length < lines.length
            ? `; first ${MAX_DIFF_LINES} of ${lines.length} diff lines shown`
            : ""),
      ),
    );
  },
});
