import { type Block, fields, heading, table, text } from "../chat/reply.js";
import { formatBytes, reachabilityNote, since } from "./answers.js";
import type { DeviceSummary } from "./fleet-query-types.js";
import { formatAgo } from "./freshness.js";
import type { LoggedChange } from "./state-rows.js";

/** The one-screen device summary, shared by `device` and `refresh`. */
const COMPLIANCE: Record<string, string> = {
  compliant: "compliant",
  below: "below baseline",
  mismatch: "not the required version",
  unknown: "version unknown",
  "no-baseline": "no baseline",
};

function versionText(s: DeviceSummary): string {
  const f = s.firmware;
  if (!f.version) return "unknown";
  const b = f.compliance.baseline;
  const rule = b ? ` (${COMPLIANCE[f.compliance.status]}: ${b.rule === "min" ? "≥" : "="} ${b.version})` : "";
  return `${f.version}${rule}`;
}

function changeText(c: LoggedChange): string {
  const what = c.objectKey ? `${c.kind} ${c.objectKey}` : c.kind;
  return `${what}: ${c.old ?? "(new)"} → ${c.new ?? "(gone)"}`;
}

export function summaryBlocks(s: DeviceSummary, now: number): Block[] {
  const d = s.device;
  const blocks: Block[] = [heading(`${d.name} (${d.host})`)];
  const note = reachabilityNote(d, now);
  if (note) blocks.push(text(note));
  if (d.reachable === null) {
    blocks.push(text(`No data yet: ${d.name} has not been polled. Try \`refresh ${d.name}\`.`));
    return blocks;
  }
  const failing = s.drives.filter((x) => x.status !== "ok").length;
  const used = s.storage.map(
    (x) =>
      `${x.descr} ${Math.round((100 * x.usedBytes) / Math.max(1, x.sizeBytes))}% of ${formatBytes(x.sizeBytes)}`,
  );
  blocks.push(
    fields({
      Site: d.site ?? "—",
      Tags: d.tags.join(", ") || "—",
      Reachable: d.reachable ? "yes" : "no",
      Uptime: s.system.uptimeCs === null ? "—" : formatAgo(s.system.uptimeCs * 10),
      Model: s.entity.model ?? "—",
      Serial: s.entity.serial ?? "—",
      Version: versionText(s),
      Ports:
        s.ports.total === 0
          ? "none reported"
          : `${s.ports.total}: ${s.ports.up} up, ${s.ports.down} down, ${s.ports.adminDown} admin down`,
      Drives:
        s.drives.length === 0
          ? "none reported"
          : `${s.drives.length}${failing > 0 ? `, ${failing} need attention` : ", all ok"}`,
      ...(used.length > 0 ? { Storage: used.slice(0, 4).join("; ") } : {}),
      ...(d.lastError ? { "Last error": d.lastError } : {}),
    }),
  );
  if (s.system.descr) blocks.push(text(s.system.descr.split("\n")[0]!));
  if (s.recentChanges.length > 0) {
    blocks.push(
      table(
        ["When", "Change"],
        s.recentChanges.map((c) => [`${since(c.at, now)} ago`, changeText(c)]),
        "Recent changes",
      ),
    );
  }
  return blocks;
}
