import type { DriveObservation, DriveStatus } from "../../observations.js";

/**
 * smartctl JSON (`--scan -j`, `-j -H -A -i`) → drive observations. Pure.
 *
 * smartctl's exit status is a bitmask (smartctl(8) "RETURN VALUES"): bits 0–2 say the *command* went
 * wrong (bad arguments, device open failed, a SMART command failed) and say nothing about the disk;
 * bits 3–7 are about the disk: 3 = health check "FAILING", 4 = pre-fail attributes at or below
 * threshold now, 5 = such attributes in the past, 6 = errors in the device error log, 7 = errors in
 * the self-test log.
 */
export interface SmartDevice {
  name: string;
  /** smartctl -d type: sat, nvme, scsi, megaraid,N … */
  type: string;
}

export interface SmartExitBits {
  usageError: boolean;
  openFailed: boolean;
  commandFailed: boolean;
  failing: boolean;
  prefailNow: boolean;
  prefailPast: boolean;
  errorLog: boolean;
  selfTestErrors: boolean;
}

export function smartExitBits(code: number): SmartExitBits {
  const bit = (n: number) => (code & (1 << n)) !== 0;
  return {
    usageError: bit(0),
    openFailed: bit(1),
    commandFailed: bit(2),
    failing: bit(3),
    prefailNow: bit(4),
    prefailPast: bit(5),
    errorLog: bit(6),
    selfTestErrors: bit(7),
  };
}

export function parseSmartScan(stdout: string): SmartDevice[] {
  const json = parseJson(stdout);
  const devices = json?.devices;
  if (!Array.isArray(devices)) throw new Error("smartctl --scan -j printed no device list");
  return devices
    .filter((d): d is { name: string; type?: unknown } => typeof d?.name === "string")
    .map((d) => ({ name: d.name, type: typeof d.type === "string" ? d.type : "auto" }));
}

/** ATA attribute ids of the counters that predict failure (Backblaze's short list) and temperature. */
const REALLOCATED = 5;
const REPORTED_UNCORRECT = 187;
const TEMPERATURE = 194;
const PENDING = 197;
const OFFLINE_UNCORRECTABLE = 198;

interface AtaAttribute {
  id: number;
  name: string;
  value: number;
  thresh: number;
  when_failed: string;
  raw: { value: number };
}

export function smartObservation(
  device: SmartDevice,
  stdout: string,
  exitCode: number | null,
): DriveObservation {
  const json = parseJson(stdout);
  const code = exitCode ?? (typeof json?.smartctl?.exit_status === "number" ? json.smartctl.exit_status : 2);
  const bits = smartExitBits(code);
  const base: DriveObservation = {
    key: `smart:${device.name}`,
    name: device.name,
    source: "smart",
    kind: "disk",
    status: "unknown",
    rawStatus: "",
  };
  const detail: Record<string, string | number> = { exitStatus: code };
  if (typeof json?.model_name === "string") base.model = json.model_name;
  if (typeof json?.serial_number === "string") base.serial = json.serial_number;
  const bytes = json?.user_capacity?.bytes ?? json?.nvme_total_capacity;
  if (typeof bytes === "number") base.capacityBytes = bytes;

  const passed: unknown = json?.smart_status?.passed;
  if (bits.usageError || bits.openFailed || (bits.commandFailed && typeof passed !== "boolean")) {
    // The command failed: we learned nothing about the disk.
    const message = smartctlMessage(json) ?? firstLine(stdout) ?? "no output";
    return {
      ...base,
      status: "unknown",
      rawStatus: `smartctl exit ${code}`,
      detail: { ...detail, error: message },
    };
  }

  const notes: string[] = [];
  const attrs: AtaAttribute[] = Array.isArray(json?.ata_smart_attributes?.table)
    ? json.ata_smart_attributes.table
    : [];
  const raw = (id: number) => attrs.find((a) => a.id === id)?.raw?.value;
  const counters: [string, number | undefined][] = [
    ["reallocatedSectors", raw(REALLOCATED)],
    ["pendingSectors", raw(PENDING)],
    ["uncorrectableSectors", raw(OFFLINE_UNCORRECTABLE)],
    ["reportedUncorrect", raw(REPORTED_UNCORRECT)],
  ];
  const nvme = json?.nvme_smart_health_information_log;
  if (nvme && typeof nvme === "object") {
    counters.push(["mediaErrors", num(nvme.media_errors)], ["criticalWarning", num(nvme.critical_warning)]);
    counters.push(
      ["percentageUsed", num(nvme.percentage_used)],
      ["availableSpare", num(nvme.available_spare)],
    );
  }
  for (const [k, v] of counters) if (v !== undefined) detail[k] = v;
  const temperature = num(json?.temperature?.current) ?? lowByte(raw(TEMPERATURE));
  if (temperature !== undefined) detail.temperatureC = temperature;
  const hours = num(json?.power_on_time?.hours);
  if (hours !== undefined) detail.powerOnHours = hours;
  for (const a of attrs) {
    if (a.when_failed === "now") notes.push(`${a.name} failing now (${a.value} ≤ ${a.thresh})`);
    else if (a.when_failed === "past") notes.push(`${a.name} failed in the past`);
  }

  let status: DriveStatus;
  let rawStatus: string;
  if (bits.failing || passed === false) {
    status = "failed";
    rawStatus = "FAILED";
  } else {
    rawStatus = passed === true ? "PASSED" : "no health status";
    const worrying =
      bits.prefailNow ||
      bits.prefailPast ||
      bits.selfTestErrors ||
      positive(detail.reallocatedSectors) ||
      positive(detail.pendingSectors) ||
      positive(detail.uncorrectableSectors) ||
      positive(detail.mediaErrors) ||
      positive(detail.criticalWarning) ||
      (nvme &&
        num(nvme.available_spare) !== undefined &&
        nvme.available_spare < (nvme.available_spare_threshold ?? 0));
    status = worrying ? "warning" : passed === true ? "ok" : "unknown";
    if (bits.prefailNow) rawStatus = "PRE-FAIL";
  }
  if (bits.prefailNow) notes.push("pre-fail attribute at or below threshold");
  if (bits.selfTestErrors) notes.push("self-test log has errors");
  if (bits.errorLog) notes.push("device error log has entries");
  if (notes.length > 0) detail.notes = notes.join("; ");
  return { ...base, status, rawStatus, detail };
}

// biome-ignore lint/suspicious/noExplicitAny: smartctl JSON is read defensively, field by field.
function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function positive(v: unknown): boolean {
  return typeof v === "number" && v > 0;
}

/** Attribute 194's raw value packs min/max into higher bytes on many drives; the current value is the low byte. */
function lowByte(v: number | undefined): number | undefined {
  return v === undefined ? undefined : v % 256;
}

function firstLine(text: string): string | undefined {
  return text
    .split("\n")
    .find((l) => l.trim() !== "")
    ?.trim();
}

// biome-ignore lint/suspicious/noExplicitAny: see parseJson.
function smartctlMessage(json: any): string | undefined {
  const messages = json?.smartctl?.messages;
  if (!Array.isArray(messages)) return undefined;
  const texts = messages.map((m) => m?.string).filter((s): s is string => typeof s === "string");
  return texts.length > 0 ? texts.join("; ") : undefined;
}
