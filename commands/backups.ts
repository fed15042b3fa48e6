import { context, heading, reply, table, text } from "../src/chat/reply.js";
import { formatAge } from "../src/lib/clock.js";
import { formatDateTime } from "../src/lib/time-format.js";
import { formatBytes, plural } from "../src/management/answers.js";
import { backupDeviceOrThrow, stateLine } from "../src/management/backups/answers.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "backups",
  summary: "Stored config versions of a device, newest first",
  description:
    "Config backups run nightly over SSH (see `backup:` in the config). A version is stored only when the " +
    "config changed; # counts back from the current version (0), as used by `backup diff`.",
  args: [{ name: "device", type: "device", kind: "positional", required: true, description: "Device name" }],
  examples: ["backups core-sw1"],
  sideEffects: false,
  handler(args, ctx) {
    const backups = ctx.services.backups;
    const device = backupDeviceOrThrow(backups, String(args.values.device));
    const now = ctx.services.clock.now();
    const versions = backups.versions(device);
    const state = context(stateLine(backups.state(device), now));
    if (versions.length === 0) return reply(text(`No stored config for ${device} yet.`), state);
    const rows = versions.map((v) => [
      String(v.back),
      formatDateTime(v.takenAt),
      formatAge(now - v.takenAt),
      formatBytes(v.sizeBytes),
      String(v.lines),
      v.sha256.slice(0, 12),
    ]);
    return reply(
      heading(`${plural(versions.length, "config version")} of ${device}`),
      table(["#", "Taken (UTC)", "Age", "Size", "Lines", "SHA-256"], rows),
      state,
      context(`Compare with \`backup diff ${device} [#]\`.`),
    );
  },
});
