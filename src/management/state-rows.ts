import type {
  DriveObservation,
  DriveSource,
  DriveStatus,
  EntityObservation,
  InterfaceObservation,
} from "./observations.js";

/** The cached state of one device (table device_state), in camelCase. */
export interface DeviceStateRow {
  name: string;
  host: string;
  site: string | null;
  pollIntervalMs: number;
  lastPolledAt: number | null;
  lastOkAt: number | null;
  lastError: string | null;
  consecutiveFailures: number;
  /** null until the first poll. */
  reachable: boolean | null;
  sysDescr: string | null;
  sysObjectId: string | null;
  sysName: string | null;
  uptimeCs: number | null;
  systemAt: number | null;
  model: string | null;
  serial: string | null;
  hardwareRev: string | null;
  firmwareRev: string | null;
  softwareRev: string | null;
  versionSource: EntityObservation["source"] | null;
  entityAt: number | null;
}

/** A port as stored by the poller: the observation plus its device, down time, rates and sample time. */
export interface InterfaceStateRow extends InterfaceObservation {
  device: string;
  downSince: number | null;
  /** sysUpTime of the poll the octet counters came from (rates need continuity). */
  sampleUptimeCs: number | null;
  inBps: number | null;
  outBps: number | null;
  polledAt: number;
}

/** What only the next poll reads of a stored port (rates, down time); answers leave it in the store. */
export type PortSampleField = "lastChangeCs" | "inOctets" | "outOctets" | "counterBits" | "sampleUptimeCs";

/** A stored port as answers read it: the row without its counter samples. */
export type PortRow = Omit<InterfaceStateRow, PortSampleField>;

export interface DriveStateRow {
  device: string;
  key: string;
  name: string;
  source: DriveSource;
  kind: DriveObservation["kind"];
  status: DriveStatus;
  rawStatus: string;
  model: string | null;
  serial: string | null;
  capacityBytes: number | null;
  detail: Record<string, string | number> | null;
  statusSince: number;
  polledAt: number;
}

export interface StorageStateRow {
  device: string;
  index: number;
  descr: string;
  type: string;
  sizeBytes: number;
  usedBytes: number;
  polledAt: number;
}

/** What kind of state changed. The alert engine keys its rules on these. */
export type ChangeKind =
  | "reachability"
  | "reboot"
  | "port_oper"
  | "drive_status"
  | "drive_removed"
  | "firmware"
  | "software";

export interface ChangeEntry {
  at: number;
  device: string;
  kind: ChangeKind;
  /** Port name, drive key, or "" for the device itself. */
  objectKey: string;
  /** null: first sight of the object. */
  old: string | null;
  new: string | null;
  detail?: Record<string, unknown>;
}

/** A change as stored, with its log id (the consumer's cursor). */
export interface LoggedChange extends ChangeEntry {
  id: number;
}

/** What the store holds for a device before a poll is applied. */
export interface PreviousState {
  device: DeviceStateRow;
  interfaces: InterfaceStateRow[];
  drives: DriveStateRow[];
}

/**
 * Everything one poll writes, decided by the pure diff and applied in one transaction. A section left
 * undefined was not collected this time: its rows are kept as they are.
 */
export interface PollWrite {
  device: DeviceStateRow;
  interfaces?: {
    rows: InterfaceStateRow[];
    removed: number[];
    /**
     * ifIndexes of rows whose stored row at the same ifIndex differs only in counters, rates and
     * sample times (the steady state of a polled port): written with a narrow UPDATE of those columns.
     */
    countersOnly?: ReadonlySet<number>;
  };
  drives?: { rows: DriveStateRow[]; removed: string[] };
  storage?: StorageStateRow[];
  changes: ChangeEntry[];
}
