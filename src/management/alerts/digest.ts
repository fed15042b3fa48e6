import { context, heading, type Reply, table, text } from "../../chat/reply.js";
import { formatDuration } from "../../lib/clock.js";
import { formatDate } from "../../lib/time-format.js";
import type { Silence } from "./alert-repo.js";
import { objectLabel } from "./render.js";
import { RULE_TITLES } from "./rules.js";
import type { Alert } from "./types.js";

const MAX_ROWS = 50;

/** The daily digest: what is open (including what is silenced or in maintenance), what recovered. */
export function renderDigest(open: Alert[], recovered: Alert[], silences: Silence[], now: number): Reply {
  const blocks = [heading(`Alert digest — ${formatDate(now)}`)];
  if (open.length === 0) blocks.push(text("No open alerts."));
  else {
    const rows = open
      .slice(0, MAX_ROWS)
      .map((a) => [
        `#${a.id}`,
        a.device,
        RULE_TITLES[a.rule],
        objectLabel(a),
        a.status,
        formatDuration(now - a.since),
        a.suppressed ?? (a.ackedBy ? `acked by ${a.ackedBy}` : ""),
      ]);
    blocks.push(
      table(["id", "device", "rule", "object", "status", "for", "note"], rows, `${open.length} open`),
    );
  }
  const real = recovered.filter((a) => a.rule !== "firmware_changed" && a.rule !== "backup_changed");
  blocks.push(text(`Recovered in the last 24h: ${real.length}.`));
  if (silences.length > 0)
    blocks.push(
      context(`Active silences: ${silences.map((s) => `#${s.id} ${s.targetKind}:${s.target}`).join(", ")}`),
    );
  return { blocks };
}
