/**
 * Normalized observations: what collectors (SNMP, SSH) hand to the poller, whatever the vendor.
 * The poller turns them into current-state rows and change-log entries in one transaction.
 */
export type OperStatus = "up" | "down" | "testing" | "unknown" | "dormant" | "notPresent" | "lowerLayerDown";
export type AdminStatus = "up" | "down" | "testing";

export interface SystemObservation {
  descr: string;
  objectId: string;
  name: string;
  /** sysUpTime in hundredths of a second (TimeTicks). */
  uptimeCs: number;
}

export interface InterfaceObservation {
  ifIndex: number;
  name: string;
  descr: string;
  alias: string;
  adminStatus: AdminStatus;
  operStatus: OperStatus;
  /** ifLastChange: sysUpTime (hundredths) at the last oper status change; 0 = before the agent started. */
  lastChangeCs: number;
  /** ifHighSpeed in Mbit/s (falls back to ifSpeed / 1e6). */
  speedMbps: number;
  inErrors: number;
  outErrors: number;
  inDiscards: number;
  outDiscards: number;
  /** Octet counters as exact bigints (Counter64 exceeds 2^53). */
  inOctets: bigint;
  outOctets: bigint;
  /** 64 when the HC (ifXTable) counters were available, else 32 (ifInOctets, wraps at 2^32). */
  counterBits: 32 | 64;
}

export interface EntityObservation {
  model: string;
  serial: string;
  hardwareRev: string;
  firmwareRev: string;
  softwareRev: string;
  /** Where the version came from: the ENTITY-MIB chassis row or parsed out of sysDescr. */
  source: "entity-mib" | "sysdescr";
  /** Vendor and OS family recognised in sysDescr ("Cisco"/"IOS-XE", "Juniper"/"Junos"…), when known. */
  vendor?: string;
  os?: string;
}

export type DriveStatus = "ok" | "warning" | "failed" | "unknown";

export type DriveSource =
  | "host-resources"
  | "idrac"
  | "hpe"
  | "synology"
  | "netapp"
  | "smart"
  | "mdadm"
  | "zfs";

export interface DriveObservation {
  /** Stable per device, e.g. "idrac:1", "smart:/dev/sda", "mdadm:md0". */
  key: string;
  name: string;
  source: DriveSource;
  /** Drive or array? RAID arrays share the drive view. */
  kind: "disk" | "array";
  status: DriveStatus;
  /** The vendor's own value, kept verbatim ("failed(3)", "PASSED", "degraded [U_]"). */
  rawStatus: string;
  model?: string;
  serial?: string;
  capacityBytes?: number;
  /** Vendor/collector detail: reallocated sectors, temperature, resync progress… */
  detail?: Record<string, string | number>;
}

export interface StorageObservation {
  index: number;
  descr: string;
  type: string;
  sizeBytes: number;
  usedBytes: number;
}

export interface CollectorError {
  collector: string;
  message: string;
}

export interface DeviceObservation {
  device: string;
  /** ms since epoch when collection finished. */
  at: number;
  system?: SystemObservation;
  interfaces?: InterfaceObservation[];
  entity?: EntityObservation;
  /**
   * Drives by source. A poll replaces only the sources it reports, so SNMP and SSH collectors can
   * feed one drive view per host without erasing each other.
   */
  drives?: { sources: DriveSource[]; items: DriveObservation[] };
  storage?: StorageObservation[];
  /** Per-collector failures; a device is unreachable when nothing at all could be collected. */
  errors: CollectorError[];
  reachable: boolean;
  /** How long the poll took (stamped by the poller; recorded as the device's poll_ms series). */
  durationMs?: number;
}
