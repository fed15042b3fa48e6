import type { DriveStatus } from "../../observations.js";
import { enumLabel } from "./values.js";

/**
 * Vendor drive states onto one scale (ok / warning / failed / unknown), keeping the vendor's own
 * value as `raw` ("failed(7)"). Pure functions: the enumerations are the MIBs'.
 */
export interface MappedStatus {
  status: DriveStatus;
  raw: string;
}

const SEVERITY: Record<DriveStatus, number> = { ok: 0, unknown: 1, warning: 2, failed: 3 };

/** The worse of two statuses (failed > warning > unknown > ok). */
export function worst(a: DriveStatus, b: DriveStatus): DriveStatus {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}

function mapEnum(
  names: Readonly<Record<number, string>>,
  scale: Readonly<Record<number, DriveStatus>>,
  value: number | undefined,
): MappedStatus {
  return {
    status: (value !== undefined ? scale[value] : undefined) ?? "unknown",
    raw: enumLabel(names, value),
  };
}

// HOST-RESOURCES-MIB hrDeviceStatus
const HR_DEVICE_NAMES = { 1: "unknown", 2: "running", 3: "warning", 4: "testing", 5: "down" };
const HR_DEVICE_SCALE: Record<number, DriveStatus> = {
  1: "unknown",
  2: "ok",
  3: "warning",
  4: "warning",
  5: "failed",
};

export function mapHrDeviceStatus(value: number | undefined): MappedStatus {
  return mapEnum(HR_DEVICE_NAMES, HR_DEVICE_SCALE, value);
}

// IDRAC-MIB-SMIv2 physicalDiskState and ObjectStatusEnum (physicalDiskComponentStatus)
const IDRAC_STATE_NAMES = {
  1: "unknown",
  2: "ready",
  3: "online",
  4: "foreign",
  5: "offline",
  6: "blocked",
  7: "failed",
  8: "nonraid",
  9: "removed",
  10: "readonly",
};
const IDRAC_STATE_SCALE: Record<number, DriveStatus> = {
  1: "unknown",
  2: "ok",
  3: "ok",
  4: "warning",
  5: "failed",
  6: "failed",
  7: "failed",
  8: "ok",
  9: "warning",
  10: "warning",
};
const IDRAC_COMPONENT_NAMES = {
  1: "other",
  2: "unknown",
  3: "ok",
  4: "nonCritical",
  5: "critical",
  6: "nonRecoverable",
};
const IDRAC_COMPONENT_SCALE: Record<number, DriveStatus> = {
  1: "unknown",
  2: "unknown",
  3: "ok",
  4: "warning",
  5: "failed",
  6: "failed",
};

/**
 * A disk is judged by its state, its rolled-up component status and its SMART predictive-failure
 * flag together; the worst wins. `raw` is the state; the other two go into the detail.
 */
export function mapIdracDisk(
  state: number | undefined,
  componentStatus: number | undefined,
  smartAlert: number | undefined,
): MappedStatus & { componentRaw: string } {
  const byState = mapEnum(IDRAC_STATE_NAMES, IDRAC_STATE_SCALE, state);
  const byComponent = mapEnum(IDRAC_COMPONENT_NAMES, IDRAC_COMPONENT_SCALE, componentStatus);
  let status = byState.status;
  if (componentStatus !== undefined && byComponent.status !== "unknown")
    status = worst(status, byComponent.status);
  if (smartAlert === 1) status = worst(status, "warning");
  return { status, raw: byState.raw, componentRaw: byComponent.raw };
}

// CPQIDA-MIB cpqDaPhyDrvStatus and cpqDaPhyDrvCondition
const HPE_STATUS_NAMES = {
  1: "other",
  2: "ok",
  3: "failed",
  4: "predictiveFailure",
  5: "erasing",
  6: "eraseDone",
  7: "eraseQueued",
  8: "ssdWearOut",
  9: "notAuthenticated",
};
const HPE_STATUS_SCALE: Record<number, DriveStatus> = {
  1: "unknown",
  2: "ok",
  3: "failed",
  4: "warning",
  5: "warning",
  6: "warning",
  7: "warning",
  8: "warning",
  9: "warning",
};
const HPE_CONDITION_NAMES = { 1: "other", 2: "ok", 3: "degraded", 4: "failed" };
const HPE_CONDITION_SCALE: Record<number, DriveStatus> = { 1: "unknown", 2: "ok", 3: "warning", 4: "failed" };

export function mapHpeDrive(
  status: number | undefined,
  condition: number | undefined,
): MappedStatus & { conditionRaw: string } {
  const byStatus = mapEnum(HPE_STATUS_NAMES, HPE_STATUS_SCALE, status);
  const byCondition = mapEnum(HPE_CONDITION_NAMES, HPE_CONDITION_SCALE, condition);
  const combined =
    condition !== undefined && byCondition.status !== "unknown"
      ? worst(byStatus.status, byCondition.status)
      : byStatus.status;
  return { status: combined, raw: byStatus.raw, conditionRaw: byCondition.raw };
}

// SYNOLOGY-DISK-MIB diskStatus and diskHealthStatus (DSM 7+)
const SYNO_STATUS_NAMES = {
  1: "Normal",
  2: "Initialized",
  3: "NotInitialized",
  4: "SystemPartitionFailed",
  5: "Crashed",
};
const SYNO_STATUS_SCALE: Record<number, DriveStatus> = {
  1: "ok",
  2: "ok",
  3: "warning",
  4: "failed",
  5: "failed",
};
const SYNO_HEALTH_NAMES = { 1: "Normal", 2: "Warning", 3: "Critical", 4: "Failing" };
const SYNO_HEALTH_SCALE: Record<number, DriveStatus> = { 1: "ok", 2: "warning", 3: "failed", 4: "failed" };

export function mapSynologyDisk(
  status: number | undefined,
  health: number | undefined,
): MappedStatus & { healthRaw?: string } {
  const byStatus = mapEnum(SYNO_STATUS_NAMES, SYNO_STATUS_SCALE, status);
  if (health === undefined) return byStatus;
  const byHealth = mapEnum(SYNO_HEALTH_NAMES, SYNO_HEALTH_SCALE, health);
  return { status: worst(byStatus.status, byHealth.status), raw: byStatus.raw, healthRaw: byHealth.raw };
}

// NETAPP-MIB raidPStatus / spareStatus / otherDiskStatus
const NETAPP_RAID_NAMES = {
  1: "active",
  2: "reconstructionInProgress",
  3: "parityReconstructionInProgress",
  4: "parityVerificationInProgress",
  5: "scrubbingInProgress",
  6: "failed",
  9: "prefailed",
  10: "offline",
};
const NETAPP_RAID_SCALE: Record<number, DriveStatus> = {
  1: "ok",
  2: "warning",
  3: "warning",
  4: "ok",
  5: "ok",
  6: "failed",
  9: "warning",
  10: "failed",
};
const NETAPP_SPARE_NAMES = { 1: "spare", 2: "addingspare", 3: "bypassed", 4: "unknown", 10: "offline" };
const NETAPP_SPARE_SCALE: Record<number, DriveStatus> = {
  1: "ok",
  2: "ok",
  3: "failed",
  4: "unknown",
  10: "warning",
};
const NETAPP_OTHER_NAMES = { 1: "broken", 2: "bypassed", 3: "unknown" };
const NETAPP_OTHER_SCALE: Record<number, DriveStatus> = { 1: "failed", 2: "failed", 3: "unknown" };

export function mapNetappRaidDisk(value: number | undefined): MappedStatus {
  return mapEnum(NETAPP_RAID_NAMES, NETAPP_RAID_SCALE, value);
}

export function mapNetappSpareDisk(value: number | undefined): MappedStatus {
  return mapEnum(NETAPP_SPARE_NAMES, NETAPP_SPARE_SCALE, value);
}

export function mapNetappOtherDisk(value: number | undefined): MappedStatus {
  return mapEnum(NETAPP_OTHER_NAMES, NETAPP_OTHER_SCALE, value);
}

/** NETAPP-MIB diskSummary counters → one status for the whole filer. */
export function mapNetappSummary(failed: number | undefined, prefailed: number | undefined): DriveStatus {
  if (failed === undefined && prefailed === undefined) return "unknown";
  if ((failed ?? 0) > 0) return "failed";
  if ((prefailed ?? 0) > 0) return "warning";
  return "ok";
}
