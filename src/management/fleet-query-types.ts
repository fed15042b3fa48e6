/**
 * The fleet queries (FleetQueries) and the answers they return: what chat commands ask about the fleet,
 * and what the composition root adapts for orchestration's gates. Implemented over the device cache
 * only (fleet-queries.ts), never a device. Every answer carries the age of its data and the poll
 * interval, so callers can flag stale data (older than twice the interval).
 */
import type { ComplianceResult } from "./compliance.js";
import type { SourceStatus } from "./sources/source-status.js";
import type { DriveStateRow, LoggedChange, PortRow } from "./state-rows.js";

export interface DataAge {
  /** When the data was collected (ms since epoch); for a list, the oldest row. null = never polled. */
  polledAt: number | null;
  /** The poll interval of the device (for a list, the longest among its devices). */
  intervalMs: number;
}

export interface DeviceHeader {
  name: string;
  host: string;
  site: string | null;
  tags: string[];
  /** null until the first poll. */
  reachable: boolean | null;
  lastPolledAt: number | null;
  lastOkAt: number | null;
  lastError: string | null;
  consecutiveFailures: number;
  pollIntervalMs: number;
}

/** A port as stored by the poller (less its counter samples), plus the device's poll interval (for staleness). */
export interface PortView extends PortRow {
  intervalMs: number;
}

/** A drive as stored by the poller, plus the device's poll interval (for staleness). */
export interface DriveView extends DriveStateRow {
  intervalMs: number;
  /** Every source reporting this physical drive (one, unless several were joined: drive-merge.ts). */
  sources: DriveStateRow["source"][];
}

export interface StorageView {
  index: number;
  descr: string;
  type: string;
  sizeBytes: number;
  usedBytes: number;
}

export interface FirmwareView {
  device: string;
  model: string | null;
  /** The version compliance is judged on: software revision, else firmware revision. */
  version: string | null;
  softwareRev: string | null;
  firmwareRev: string | null;
  versionSource: "entity-mib" | "sysdescr" | null;
  compliance: ComplianceResult;
  age: DataAge;
}

/** Where to look: one device, the devices with a tag, or the devices at a site. */
export type Scope = { device: string } | { tag: string } | { site: string };

export interface LinksResult {
  device: DeviceHeader;
  /** Ports matching the filter, in ifIndex order. */
  ports: PortView[];
  /** Ports on the device before filtering. */
  totalPorts: number;
  age: DataAge;
}

export interface ListResult<T> {
  items: T[];
  /** Matches before the limit. */
  total: number;
  /** Distinct devices among all matches. */
  devices: number;
  /** Age of the oldest row; with no rows, of the oldest polled device in scope. */
  age: DataAge;
  /**
   * Devices in scope whose data is stale or missing: an empty or short answer may be missing them
   * (a switch that stopped answering can have ports down that nobody sees). staleDevices holds the
   * first few names; staleCount is exact.
   */
  staleCount: number;
  staleDevices: string[];
}

export interface DeviceSummary {
  device: DeviceHeader;
  system: { descr: string | null; objectId: string | null; sysName: string | null; uptimeCs: number | null };
  entity: { model: string | null; serial: string | null; hardwareRev: string | null };
  firmware: FirmwareView;
  ports: { total: number; up: number; down: number; adminDown: number };
  drives: DriveView[];
  storage: StorageView[];
  recentChanges: LoggedChange[];
  age: DataAge;
}

export interface FleetCounts {
  devices: number;
  reachable: number;
  unreachable: number;
  neverPolled: number;
  /** Devices whose data is older than twice their poll interval (or never polled). */
  stale: number;
  portsDown: number;
  drivesFailed: number;
  drivesWarning: number;
  firmwareNonCompliant: number;
  firmwareUnknown: number;
  /** Devices that left the config: kept (with their history) until retention, left out of every answer. */
  removed: number;
  age: DataAge;
}

export interface FleetQueries {
  /** The canonical name of a configured device, matched case-insensitively. */
  resolveDevice(name: string): string | undefined;
  /** Reads a word as a device, tag or site (in that order). */
  resolveScope(word: string): Scope | undefined;
  deviceNames(): string[];
  /** Whether the cache has any device: one index probe, not the whole list. */
  hasDevices(): boolean;
  tags(): string[];
  sites(): string[];
  device(name: string): DeviceSummary | undefined;
  /** Ports of a device; the filter matches name, alias or description, or is one of up|down|errors. */
  links(device: string, filter?: string): LinksResult | undefined;
  /** Admin-up, oper-down ports fleet-wide, most recently down first. */
  linksDown(scope?: Scope, limit?: number): ListResult<PortView>;
  /** Drives, failed first, then warning, unknown and ok. */
  drives(options?: { scope?: Scope; failingOnly?: boolean; limit?: number }): ListResult<DriveView>;
  /** Versions and compliance, drift first; driftOnly keeps below/mismatch/unknown. */
  firmware(options?: { scope?: Scope; driftOnly?: boolean; limit?: number }): ListResult<FirmwareView>;
  fleet(): FleetCounts;
  /** Fleet data sources besides the poller (Prometheus): their last cycle. */
  sources(): SourceStatus[];
}
