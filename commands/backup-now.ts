import { context, reply, text } from "../src/chat/reply.js";
import { formatBytes } from "../src/management/answers.js";
import { backupDeviceOrThrow } from "../src/management/backups/answers.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "backup now",
  summary: "Back up a device's config now and say whether it changed",
  args: [{ name: "device", type: "device", kind: "positional", required: true, description: "Device name" }],
  examples: ["backup now core-sw1"],
  sideEffects: true,
  async handler(args, ctx) {
    const backups = ctx.services.backups;
    const device = backupDeviceOrThrow(backups, String(args.values.device));
    const outcome = await backups.runNow(device);
    switch (outcome.result) {
      case "failed":
        return { ...reply(text(`Backup of ${device} failed: ${outcome.error}`)), isError: true };
      case "unchanged":
        return reply(text(`${device}: config unchanged since the last version; nothing new stored.`));
      case "first":
        return reply(
          text(
            `${device}: first version stored (${outcome.version.lines} lines, ${formatBytes(outcome.version.sizeBytes)}).`,
          ),
        );
      case "changed":
        return reply(
          text(
            `${device}: config changed (+${outcome.added} −${outcome.removed} lines); new version stored.`,
          ),
          context(`See the change with \`backup diff ${device}\`.`),
        );
    }
  },
});
