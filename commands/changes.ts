import { context, heading, reply, table, text } from "../src/chat/reply.js";
import { plural, scopeLabel, scopeOrThrow } from "../src/management/answers.js";
import { describeChange, localTime } from "../src/management/history/describe-change.js";
import { windowOf } from "./history-common.js";
import { defineCommand } from "./services.js";

const PAGE_SIZE = 25;

export default defineCommand({
  name: "changes",
  aliases: ["timeline"],
  summary: "What changed on a device, tag or site: ports, reboots, firmware, drives, config",
  description:
    "The change log as a timeline, newest first: ports going down and up (with how long they were in the old " +
    "state), reboots, firmware and software changes, drive status, config changes found by backups. " +
    "`since` is a look-back like 6h or 7d (default 24h); `--page 2` shows older entries.",
  args: [
    {
      name: "scope",
      type: "string",
      kind: "positional",
      required: true,
      description: "A device, tag or site",
    },
    {
      name: "since",
      type: "string",
      kind: "positional",
      description: "Look back this far, e.g. 6h, 7d (default 24h)",
    },
    { name: "page", type: "int", kind: "option", default: 1, description: "Page, 1 = newest" },
  ],
  examples: ["changes core-sw1", "changes core 7d", "changes hq 48h --page 2"],
  sideEffects: false,
  handler(args, ctx) {
    const fleet = ctx.services.fleet;
    const history = ctx.services.history;
    const now = ctx.services.clock.now();
    const scope = scopeOrThrow(fleet, String(args.values.scope));
    const window = windowOf(args.values.since === undefined ? undefined : String(args.values.since), "24h");
    const page = Math.max(1, Number(args.values.page ?? 1));
    const result = history.timeline.page(scope, now - window.ms, page, PAGE_SIZE);
    const where = scopeLabel(scope);
    if (result.total === 0) {
      return reply(text(`No changes recorded for ${where} in the last ${window.text}.`));
    }
    const pages = Math.ceil(result.total / PAGE_SIZE);
    if (result.entries.length === 0) {
      return reply(
        text(
          `Page ${page} is past the end: ${plural(result.total, "change")} fit on ${plural(pages, "page")}.`,
        ),
      );
    }
    const tz = ctx.services.config.timezone;
    const many = !("device" in scope);
    const rows = result.entries.map((e) => [
      localTime(e.at, tz),
      ...(many ? [e.device] : []),
      describeChange(e),
    ]);
    const more =
      page < pages
        ? ` · \`changes ${String(args.values.scope)} ${window.text} --page ${page + 1}\` for older`
        : "";
    return reply(
      heading(`${where}: ${plural(result.total, "change")} in the last ${window.text}`),
      table(many ? ["When", "Device", "What"] : ["When", "What"], rows),
      context(`Page ${page} of ${pages}, newest first · times in ${tz}${more}`),
    );
  },
});
