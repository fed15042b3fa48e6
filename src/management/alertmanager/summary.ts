import { type Block, heading, table, text } from "../../chat/reply.js";
import { formatDuration } from "../../lib/clock.js";
import { formatDateTime } from "../../lib/time-format.js";
import { type AmGroup, silenceHolds } from "./group-repo.js";
import { groupName } from "./render.js";

/** Firing Alertmanager groups as opsbot recorded them from the webhook (no call to Alertmanager). */
export interface AmFiring {
  total: number;
  /** The most recently changed ones, at most the caller's limit. */
  groups: AmGroup[];
}

/** When the group's oldest firing alert started, or undefined when no alert says. */
function firingSince(g: AmGroup): number | undefined {
  let since: number | undefined;
  for (const a of Object.values(g.alerts)) {
    if (a.status !== "firing") continue;
    const t = Date.parse(a.startsAt);
    if (Number.isFinite(t) && (since === undefined || t < since)) since = t;
  }
  return since;
}

function note(g: AmGroup, now: number): string {
  const parts: string[] = [];
  if (g.silence && silenceHolds(g.silence, now))
    parts.push(`silenced by ${g.silence.by.name} until ${formatDateTime(g.silence.until)}`);
  if (g.ack) parts.push(`acked by ${g.ack.by.name}`);
  if (g.truncated > 0) parts.push(`${g.truncated} more not sent`);
  return parts.join("; ");
}

/**
 * Alertmanager's section of the daily digest and the App Home: the firing groups opsbot holds a
 * message for, with who silenced or acked them. Said as what opsbot received, since it is not a
 * query of Alertmanager (a group Alertmanager never delivered is not here).
 */
export function renderAmFiring(firing: AmFiring, now: number): Block[] {
  const blocks: Block[] = [heading(`Alertmanager groups firing (${firing.total})`)];
  if (firing.total === 0) {
    blocks.push(text("No Alertmanager group delivered to opsbot is firing."));
    return blocks;
  }
  const rows = firing.groups.map((g) => {
    const { name, where } = groupName(g);
    const count = Object.values(g.alerts).filter((a) => a.status === "firing").length;
    const since = firingSince(g);
    return [
      `am:${g.id}`,
      name,
      where,
      String(count),
      since === undefined ? "" : formatDuration(Math.max(0, now - since)),
      note(g, now),
    ];
  });
  const columns = ["group", "alert", "where", "alerts", "for", "note"];
  blocks.push(
    firing.groups.length < firing.total
      ? table(columns, rows, `${firing.total} firing, the ${firing.groups.length} latest shown`)
      : table(columns, rows),
  );
  return blocks;
}
