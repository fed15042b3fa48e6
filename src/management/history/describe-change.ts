import { formatDuration } from "../../lib/clock.js";
import type { TimelineEntry } from "./timeline.js";

/** "Tue 10 14:02" in the configured zone: the timeline's time column. */
export function localTime(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(at);
}

const held = (e: TimelineEntry) =>
  e.previousAt === null ? "" : ` after ${formatDuration(e.at - e.previousAt)}`;

/** One change-log row in words, with how long the object was in its old state. Pure. */
export function describeChange(e: TimelineEntry): string {
  const alias = typeof e.detail?.alias === "string" && e.detail.alias !== "" ? ` (${e.detail.alias})` : "";
  switch (e.kind) {
    case "port_oper":
      if (e.new === "up") return `🟢 ${e.objectKey}${alias} up${e.old ? `, was ${e.old}${held(e)}` : ""}`;
      return `🔴 ${e.objectKey}${alias} ${e.new}${e.old ? `, was ${e.old}${held(e)}` : ""}`;
    case "reachability":
      return e.new === "reachable" ? `🟢 reachable again${held(e)}` : `🔴 unreachable${e.old ? held(e) : ""}`;
    case "reboot":
      return typeof e.detail?.bootedAt === "number"
        ? `🔄 rebooted (up since ${new Date(e.detail.bootedAt).toISOString().slice(0, 16).replace("T", " ")} UTC)`
        : "🔄 rebooted";
    case "firmware":
    case "software":
      return `⬆️ ${e.kind} ${e.old ?? "(unknown)"} → ${e.new ?? "(unknown)"}`;
    case "drive_status":
      return `💽 drive ${e.objectKey}: ${e.old ?? "(new)"} → ${e.new}${e.old ? held(e) : ""}`;
    case "drive_removed":
      return `💽 drive ${e.objectKey} removed (was ${e.old ?? "unknown"})`;
    case "backup_changed":
      return "📝 config changed (backup stored a new version)";
    case "backup":
      return `📝 backup ${e.new ?? ""}`.trimEnd();
    default: {
      const what = e.objectKey ? `${e.kind} ${e.objectKey}` : e.kind;
      return `${what}: ${e.old ?? "(new)"} → ${e.new ?? "(gone)"}`;
    }
  }
}
