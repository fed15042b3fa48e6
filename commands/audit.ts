import { context, reply, table } from "../src/chat/reply.js";
import { UsageError } from "../src/lib/errors.js";
import { parseSince } from "../src/lib/since.js";
import { formatDateTime } from "../src/lib/time-format.js";
import { AUDIT_OUTCOMES, type AuditFilter, type AuditOutcome } from "../src/store/audit-repo.js";
import { runIdOf } from "./orchestration-common.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "audit",
  summary: "Show the most recent commands and button clicks",
  description:
    "Filters: user, command, outcome, run, channel, since (the CLI export also takes --until). Every command and click is recorded, refusals as `denied`. Filters combine. For a SIEM, `opsbot audit export --since 7d` writes JSON Lines.",
  args: [
    { name: "user", kind: "option", type: "string", description: "a user id or name" },
    { name: "command", kind: "option", type: "string", description: "a command name or button action id" },
    { name: "outcome", kind: "option", type: "string", description: AUDIT_OUTCOMES.join(", ") },
    { name: "run", kind: "option", type: "string", description: "rows about this run" },
    { name: "channel", kind: "option", type: "string", description: "a channel id or name" },
    { name: "since", kind: "option", type: "string", description: "7d, 12h, or a date" },
    { name: "limit", kind: "option", type: "int", default: 20, description: "how many rows (max 200)" },
  ],
  examples: [
    "audit",
    "audit outcome=denied since=1d",
    "audit user=carol",
    "audit run=12",
    "audit command=approve",
  ],
  sideEffects: false,
  uses: [],
  role: "admin",
  handler(args, ctx) {
    const limit = Math.min(Math.max(Number(args.values.limit), 1), 200);
    const filter = auditFilterOf(args.values, ctx.services.clock.now());
    const rows = ctx.services.audit.recent(limit, filter);
    return reply(
      table(
        ["when", "who", "where", "what", "outcome"],
        rows.map((r) => [
          formatDateTime(r.at),
          r.actingFor ? `${r.userName} (by ${r.actingFor})` : r.userName,
          r.channel,
          r.detail ? `${r.text} — ${r.detail}` : r.text,
          r.outcome,
        ]),
      ),
      context(
        rows.length === 0
          ? "No entries match."
          : `${rows.length} most recent matching entries, newest first.`,
      ),
    );
  },
});

/** The audit filter from chat options (or the CLI's flags), times relative to `now`. */
export function auditFilterOf(values: Record<string, unknown>, now: number): AuditFilter {
  const str = (k: string) => (values[k] === undefined ? undefined : String(values[k]));
  const outcome = str("outcome");
  if (outcome !== undefined && !AUDIT_OUTCOMES.includes(outcome as AuditOutcome))
    throw new UsageError(`outcome=${outcome} is not an outcome: ${AUDIT_OUTCOMES.join(", ")}.`);
  const f: AuditFilter = {};
  if (str("user")) f.user = str("user")!;
  if (str("command")) f.command = str("command")!;
  if (outcome) f.outcome = outcome as AuditOutcome;
  if (str("run")) f.runId = runIdOf(str("run"));
  if (str("channel")) f.channel = str("channel")!.replace(/^#/, "");
  if (str("since")) f.since = parseSince(str("since")!, now, "since");
  if (str("until")) f.until = parseSince(str("until")!, now, "until");
  return f;
}
