import { createHash } from "node:crypto";
import { context, heading, type Reply, reply, table } from "../../chat/reply.js";
import type { AmGroup } from "./group-repo.js";

/** The group's message: rendered from its stored state, so an update always shows the whole group. */
export function renderAmGroup(g: AmGroup): Reply {
  const alerts = Object.entries(g.alerts).sort(([a], [b]) => a.localeCompare(b));
  const firing = alerts.filter(([, a]) => a.status === "firing").length;
  const name = g.labels.alertname ?? Object.values(g.alerts)[0]?.labels.alertname ?? "alert";
  const where = g.labels.instance ?? g.labels.device ?? g.labels.job ?? "";
  const icon = g.status === "firing" ? (g.labels.severity === "critical" ? "🔴" : "🟠") : "✅";
  const title = `${icon} ${name}${where ? ` — ${where}` : ""} (Alertmanager: ${g.status === "firing" ? `${firing} firing` : "resolved"})`;
  const rows = alerts.map(([, a]) => [
    a.labels.instance ?? a.labels.device ?? "",
    a.status,
    a.annotations.summary ?? a.annotations.description ?? a.labels.alertname ?? "",
    a.startsAt,
  ]);
  const blocks = [heading(title), table(["Instance", "Status", "Summary", "Since"], rows)];
  blocks.push(context(`receiver ${g.receiver} · group ${g.groupKey}`));
  return reply(...blocks);
}

export function replyHash(r: Reply): string {
  return createHash("sha256").update(JSON.stringify(r)).digest("hex");
}
