import { checkCompliance, type FirmwareBaseline } from "../compliance.js";
import { DOWN_OPER_STATES } from "../diff.js";
import type { LoggedChange } from "../state-rows.js";
import { alertKey, type RuleEvent, type RuleName, type Severity } from "./types.js";

/** What classification needs to know about the fleet and the config. */
export interface ClassifyContext {
  /** Device tags from the config ([] for an unknown device). */
  tags(device: string): readonly string[];
  /** Does port_down watch this port? */
  portMatters(device: string, port: string, alias: string): boolean;
  /** "disk" or "array" for a drive key (RAID degraded is the array's status). */
  driveKind(device: string, key: string): "disk" | "array";
  baselines: Record<string, FirmwareBaseline>;
}

/**
 * Turns one change-log row into the rule events it means. Pure. A change no rule cares about (a reboot,
 * an access port) yields nothing.
 */
export function classify(c: LoggedChange, ctx: ClassifyContext): RuleEvent[] {
  const detail = c.detail ?? {};
  const event = (
    rule: RuleName,
    object: string,
    condition: "bad" | "ok",
    severity: Severity,
    value: string,
    extra: Partial<RuleEvent> = {},
  ): RuleEvent => ({
    key: alertKey(c.device, rule, object),
    device: c.device,
    rule,
    object,
    condition,
    severity,
    value,
    at: c.at,
    detail,
    ...extra,
  });

  switch (c.kind) {
    case "port_oper": {
      const alias = typeof detail.alias === "string" ? detail.alias : "";
      if (!ctx.portMatters(c.device, c.objectKey, alias)) return [];
      const down =
        detail.adminStatus !== "down" &&
        DOWN_OPER_STATES.includes((c.new ?? "") as (typeof DOWN_OPER_STATES)[number]);
      return [event("port_down", c.objectKey, down ? "bad" : "ok", "critical", c.new ?? "gone")];
    }
    case "drive_status": {
      const status = c.new ?? "unknown";
      if (ctx.driveKind(c.device, c.objectKey) === "array") {
        return [event("raid_degraded", c.objectKey, status === "ok" ? "ok" : "bad", "critical", status)];
      }
      if (status === "ok") return [event("drive", c.objectKey, "ok", "warning", status)];
      if (status === "warning") return [event("drive", c.objectKey, "bad", "warning", status)];
      if (status === "failed") return [event("drive", c.objectKey, "bad", "critical", status)];
      return []; // unknown: the collector could not tell; the next poll will
    }
    case "drive_removed": {
      const rule = ctx.driveKind(c.device, c.objectKey) === "array" ? "raid_degraded" : "drive";
      return [event(rule, c.objectKey, "bad", "critical", "removed")];
    }
    case "firmware":
    case "software": {
      const events: RuleEvent[] = [];
      if (c.old !== null && c.new !== null) {
        events.push(
          event("firmware_changed", c.kind, "bad", "info", `${c.old} → ${c.new}`, { oneShot: true }),
        );
      }
      const model = typeof detail.model === "string" ? detail.model : undefined;
      const check = checkCompliance(model, c.new ?? undefined, ctx.baselines);
      if (check.status !== "no-baseline" && check.status !== "unknown") {
        const want = check.baseline ? `${check.baseline.rule} ${check.baseline.version}` : "";
        const value = check.status === "compliant" ? (c.new ?? "") : `${c.new} (baseline ${want})`;
        events.push(
          event("firmware_drift", "", check.status === "compliant" ? "ok" : "bad", "warning", value),
        );
      }
      return events;
    }
    case "reachability":
      return [
        event(
          "device_unreachable",
          "",
          c.new === "unreachable" ? "bad" : "ok",
          "critical",
          c.new ?? "unknown",
        ),
      ];
    default:
      return classifyOther(c, event);
  }
}

/** Change kinds written outside the SNMP diff (config backups). */
function classifyOther(
  c: LoggedChange,
  event: (
    rule: RuleName,
    object: string,
    condition: "bad" | "ok",
    severity: Severity,
    value: string,
    extra?: Partial<RuleEvent>,
  ) => RuleEvent,
): RuleEvent[] {
  const kind = c.kind as string;
  if (kind === "backup") {
    const error = typeof c.detail?.error === "string" ? c.detail.error : "failed";
    return [
      event(
        "backup_failed",
        "",
        c.new === "failed" ? "bad" : "ok",
        "warning",
        c.new === "failed" ? error : "ok",
      ),
    ];
  }
  if (kind === "backup_changed") {
    const d = c.detail ?? {};
    const value = `+${Number(d.added ?? 0)} −${Number(d.removed ?? 0)} lines`;
    return [event("backup_changed", "", "bad", "info", value, { oneShot: true })];
  }
  return [];
}
