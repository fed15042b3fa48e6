import { reply, text } from "../src/chat/reply.js";
import { formatDuration } from "../src/lib/clock.js";
import { formatDateTime } from "../src/lib/time-format.js";
import { amGroupId } from "./am-targets.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "silence",
  summary: "Silence alerts of a device, tag or rule for a while",
  description:
    "The target is a device name, a tag, or a rule name (or say it explicitly: device:NAME, tag:NAME, rule:NAME); an unknown one is refused. `am:ID` silences an Alertmanager group (the id its message shows) in Alertmanager itself, matching the group's labels. Silenced alerts are still tracked and listed by `alerts`; nothing is posted for them until the silence ends. A silence longer than `alerts.max_silence` (default 7d) needs `--force`.",
  args: [
    {
      name: "target",
      type: "string",
      kind: "positional",
      required: true,
      description: "device, tag, rule, or am:ID (an Alertmanager group)",
    },
    { name: "duration", type: "string", kind: "positional", required: true, description: "e.g. 30m, 2h, 1d" },
    {
      name: "reason",
      type: "string",
      kind: "positional",
      rest: true,
      description: "why (shown with the alerts)",
    },
    {
      name: "force",
      type: "bool",
      kind: "flag",
      description: "allow a silence longer than alerts.max_silence (default 7d)",
    },
  ],
  examples: ["silence core-sw1 2h swapping optics", "silence tag:edge 1d", "silence rule:firmware_drift 7d"],
  sideEffects: true,
  role: "oncall",
  async handler(args, ctx) {
    const group = amGroupId(String(args.values.target));
    if (group !== undefined) {
      const r = await ctx.services.alertmanager.silence({
        groupId: group,
        duration: String(args.values.duration),
        user: ctx.user,
        ...(args.values.reason === undefined ? {} : { reason: String(args.values.reason) }),
        force: args.values.force === true,
      });
      return reply(
        text(
          `Silenced am:${group} in Alertmanager until ${formatDateTime(r.silence.until)} (silence ${r.silence.id}). \`unsilence am:${group}\` ends it.`,
        ),
      );
    }
    const s = await ctx.services.alerts.silence({
      target: String(args.values.target),
      duration: String(args.values.duration),
      reason: args.values.reason === undefined ? "" : String(args.values.reason),
      user: ctx.user,
      force: args.values.force === true,
    });
    const length = formatDuration(s.expiresAt - s.createdAt);
    return reply(
      text(
        `Silence #${s.id}: ${s.targetKind} ${s.target} for ${length} (${s.reason}). \`unsilence ${s.id}\` ends it.`,
      ),
    );
  },
});
