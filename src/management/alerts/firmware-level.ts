import { checkCompliance, type FirmwareBaseline } from "../compliance.js";
import { type Alert, alertKey, type RuleEvent } from "./types.js";

/**
 * Firmware drift is a condition, not an edge: a device already below its baseline at its first poll,
 * or after a baseline is tightened, has no version change to trigger on. Each pass compares every
 * device's stored version with the baselines and emits an event only where that disagrees with the
 * open alert (none open but off baseline → bad; open but compliant again → ok), so it alerts once and
 * recovers when fixed. Pure.
 */
export interface DeviceVersion {
  device: string;
  model: string | null;
  softwareRev: string | null;
  firmwareRev: string | null;
}

export function firmwareLevelEvents(
  devices: readonly DeviceVersion[],
  baselines: Record<string, FirmwareBaseline>,
  current: (key: string) => Alert | undefined,
  now: number,
): RuleEvent[] {
  const events: RuleEvent[] = [];
  for (const d of devices) {
    const version = d.softwareRev ?? d.firmwareRev;
    const check = checkCompliance(d.model ?? undefined, version ?? undefined, baselines);
    // Unknown (no version read yet) is left to the next poll, like the change-log path does.
    if (check.status === "unknown") continue;
    const key = alertKey(d.device, "firmware_drift", "");
    const existing = current(key);
    const open = existing !== undefined && existing.status !== "resolved";
    const bad = check.status === "below" || check.status === "mismatch";
    if (bad === open) continue;
    const want = check.baseline ? `${check.baseline.rule} ${check.baseline.version}` : "";
    events.push({
      key,
      device: d.device,
      rule: "firmware_drift",
      object: "",
      condition: bad ? "bad" : "ok",
      severity: "warning",
      value: bad ? `${version} (baseline ${want})` : (version ?? ""),
      at: now,
      detail: { model: d.model },
    });
  }
  return events;
}
