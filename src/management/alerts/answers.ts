import { context, dataOf, iso, type Reply, reply, table, text, withData } from "../../chat/reply.js";
import { formatDuration } from "../../lib/clock.js";
import { alertData } from "../answer-data.js";
import type { Silence } from "./alert-repo.js";
import { objectLabel } from "./render.js";
import { RULE_TITLES } from "./rules.js";
import type { Alert } from "./types.js";

const MAX_ROWS = 50;

/** Open alerts as a table; silenced and in-maintenance ones say so. */
export function alertsTable(alerts: Alert[], now: number, scope?: string): Reply {
  const where = scope ? ` for ${scope}` : "";
  const data = dataOf("alerts", {
    scope: scope ?? null,
    total: alerts.length,
    alerts: alerts.map(alertData),
  });
  if (alerts.length === 0) return withData(reply(text(`No open alerts${where}.`)), data);
  const rows = alerts
    .slice(0, MAX_ROWS)
    .map((a) => [
      `#${a.id}`,
      a.device,
      RULE_TITLES[a.rule],
      objectLabel(a),
      a.value,
      a.status,
      formatDuration(now - a.since),
      [a.ackedBy ? `acked by ${a.ackedBy}` : "", a.suppressed ?? ""].filter((s) => s !== "").join("; "),
    ]);
  const more = alerts.length > MAX_ROWS ? ` (first ${MAX_ROWS})` : "";
  return withData(
    reply(
      table(
        ["id", "device", "rule", "object", "value", "status", "for", "note"],
        rows,
        `${alerts.length} open alerts${where}${more}`,
      ),
      context("`ack <id>` acknowledges one; `silence <device|tag|rule> <duration> [reason]` quiets a group."),
    ),
    data,
  );
}

/** `scoped`: other silences (Alertmanager's) follow, so "none" must say whose. */
export function silencesTable(silences: Silence[], now: number, scoped = false): Reply {
  const data = dataOf("silences", {
    silences: silences.map((s) => ({
      id: s.id,
      targetKind: s.targetKind,
      target: s.target,
      reason: s.reason,
      createdBy: s.createdBy,
      createdAt: iso(s.createdAt),
      expiresAt: iso(s.expiresAt),
    })),
  });
  if (silences.length === 0)
    return withData(reply(text(scoped ? "No active opsbot alert silences." : "No active silences.")), data);
  return withData(
    reply(
      table(
        ["id", "target", "reason", "by", "ends in"],
        silences.map((s) => [
          `#${s.id}`,
          `${s.targetKind}:${s.target}`,
          s.reason,
          s.createdBy,
          formatDuration(s.expiresAt - now),
        ]),
        scoped
          ? `${silences.length} active opsbot alert silence${silences.length === 1 ? "" : "s"}`
          : `${silences.length} active`,
      ),
      context("`unsilence <id>` ends one early."),
    ),
    data,
  );
}
