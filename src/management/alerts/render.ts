import { type Block, type Button, buttons, context, heading, type Reply, text } from "../../chat/reply.js";
import { formatDuration } from "../../lib/clock.js";
import { formatDateTime } from "../../lib/time-format.js";
import type { AlertGroup } from "./alert-repo.js";
import { RULE_TITLES } from "./rules.js";
import type { Alert, RuleSettings } from "./types.js";

/** Slack shows at most 3,000 characters per text block; a long list ends with "and N more". */
const MAX_LINES = 40;

export const ACTION_ACK = "alert.ack";
export const ACTION_SILENCE = "alert.silence";
export const ACTION_RUN = "alert.run";

const SEVERITY_ICON = { info: "ℹ️", warning: "🟠", critical: "🔴" } as const;

export function objectLabel(a: Pick<Alert, "object" | "device">): string {
  return a.object === "" || a.object === "firmware" || a.object === "software" ? a.device : a.object;
}

/** One line per alert: "#12 Gi1/0/3 — down for 5m 0s · acked by bob". */
export function alertLine(a: Alert, now: number): string {
  const parts = [`#${a.id} ${objectLabel(a)} — ${a.value}`];
  if (a.status === "resolved") {
    if (a.rule !== "firmware_changed" && a.rule !== "backup_changed")
      parts.push(`recovered after ${formatDuration((a.resolvedAt ?? now) - a.since)}`);
  } else if (a.status === "flapping") {
    parts.push(`flapping: ${a.transitions.length} changes in the window`);
  } else {
    parts.push(`for ${formatDuration(now - a.since)}`);
  }
  if (a.ackedBy) parts.push(`acked by ${a.ackedBy}`);
  if (a.suppressed) parts.push(a.suppressed);
  return parts.join(" · ");
}

/**
 * The group message, rendered from the alerts in the store (never from events): a lost update heals on
 * the next render, also after a restart.
 */
export function renderGroup(group: AlertGroup, members: Alert[], rule: RuleSettings, now: number): Reply {
  const shown = members.filter((a) => a.notified);
  const open = shown.filter((a) => a.status !== "resolved");
  const worst = open.reduce<Alert["severity"]>(
    (w, a) =>
      a.severity === "critical" || w === "critical" ? "critical" : a.severity === "warning" ? "warning" : w,
    "info",
  );
  const title = `${RULE_TITLES[group.rule]} — ${group.device}`;
  const oneShot = group.rule === "firmware_changed" || group.rule === "backup_changed";
  let head: string;
  if (oneShot) head = `ℹ️ ${title}`;
  else if (open.length === 0) head = `✅ Resolved: ${title}`;
  else if (open.some((a) => a.status === "flapping")) head = `⚠️ Flapping: ${title}`;
  else head = `${SEVERITY_ICON[worst]} ${title}${open.length > 1 ? ` (${open.length})` : ""}`;

  const ordered = [...open, ...shown.filter((a) => a.status === "resolved")];
  const lines = ordered.slice(0, MAX_LINES).map((a) => `• ${alertLine(a, now)}`);
  if (ordered.length > MAX_LINES) lines.push(`… and ${ordered.length - MAX_LINES} more`);

  const blocks: Block[] = [heading(head), text(lines.join("\n") || "(nothing to show)")];
  const acked = open.length > 0 && open.every((a) => a.ackedBy !== null);
  const notes = [`severity ${worst}`, `opened ${formatDateTime(group.openedAt)}`];
  if (acked) notes.push("acknowledged");
  blocks.push(context(notes.join(" · ")));

  if (open.length > 0) {
    const list: Button[] = [];
    if (!acked) list.push({ actionId: ACTION_ACK, label: "Ack", value: String(group.id) });
    // What the message is about: this rule on this device. Once every open alert is silenced the
    // button is gone (the silence re-renders the message).
    const silenced = open.every((a) => a.suppressed?.startsWith("silenced"));
    if (!silenced)
      list.push({
        actionId: ACTION_SILENCE,
        label: "Silence 1h",
        value: `device_rule:${group.device}:${group.rule}:1h`,
      });
    const withRunbook = rule.runbook ? open[0] : undefined;
    if (withRunbook && rule.runbook)
      list.push({
        actionId: ACTION_RUN,
        label: `Run ${rule.runbook.name}`,
        value: String(withRunbook.id),
        style: "primary",
      });
    blocks.push(buttons(...list));
  }
  return { blocks };
}
