import { dataOf, iso } from "../chat/reply.js";
import type { Alert } from "./alerts/types.js";
import type {
  DataAge,
  DeviceHeader,
  DriveView,
  FirmwareView,
  ListResult,
  PortView,
  Scope,
} from "./fleet-query-types.js";
import { isStale } from "./freshness.js";

/**
 * The data payloads of the management answers (docs/json.md): the stored rows in base units — ISO
 * times, seconds, bits per second, bytes — with enums as stored. Pure; the commands attach them.
 */
const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);

export function ageData(age: DataAge, now: number) {
  return {
    polledAt: iso(age.polledAt),
    ageSeconds: age.polledAt === null ? null : seconds(now - age.polledAt),
    pollIntervalSeconds: seconds(age.intervalMs),
    stale: age.polledAt === null || isStale({ polledAt: age.polledAt, intervalMs: age.intervalMs }, now),
  };
}

export function listMeta<T>(result: ListResult<T>, now: number) {
  return {
    total: result.total,
    returned: result.items.length,
    devices: result.devices,
    age: ageData(result.age, now),
    staleDeviceCount: result.staleCount,
    staleDevices: result.staleDevices,
  };
}

export function deviceData(d: DeviceHeader) {
  return {
    name: d.name,
    host: d.host,
    site: d.site,
    tags: d.tags,
    reachable: d.reachable,
    lastPolledAt: iso(d.lastPolledAt),
    lastOkAt: iso(d.lastOkAt),
    lastError: d.lastError,
    consecutiveFailures: d.consecutiveFailures,
    pollIntervalSeconds: seconds(d.pollIntervalMs),
  };
}

export function portData(p: PortView, now: number) {
  return {
    device: p.device,
    ifIndex: p.ifIndex,
    name: p.name,
    descr: p.descr,
    alias: p.alias,
    adminStatus: p.adminStatus,
    operStatus: p.operStatus,
    speedBps: p.speedMbps * 1_000_000,
    downSince: iso(p.downSince),
    inErrors: p.inErrors,
    outErrors: p.outErrors,
    inDiscards: p.inDiscards,
    outDiscards: p.outDiscards,
    inBps: p.inBps,
    outBps: p.outBps,
    polledAt: iso(p.polledAt),
    stale: isStale({ polledAt: p.polledAt, intervalMs: p.intervalMs }, now),
  };
}

export function driveData(d: DriveView, now: number) {
  return {
    device: d.device,
    key: d.key,
    name: d.name,
    source: d.source,
    kind: d.kind,
    status: d.status,
    rawStatus: d.rawStatus,
    model: d.model,
    serial: d.serial,
    capacityBytes: d.capacityBytes,
    detail: d.detail,
    statusSince: iso(d.statusSince),
    polledAt: iso(d.polledAt),
    stale: isStale({ polledAt: d.polledAt, intervalMs: d.intervalMs }, now),
  };
}

export function firmwareData(f: FirmwareView, now: number) {
  return {
    device: f.device,
    model: f.model,
    version: f.version,
    softwareRev: f.softwareRev,
    firmwareRev: f.firmwareRev,
    versionSource: f.versionSource,
    compliance: f.compliance.status,
    baseline: f.compliance.baseline ?? null,
    age: ageData(f.age, now),
  };
}

export function alertData(a: Alert) {
  return {
    id: a.id,
    device: a.device,
    rule: a.rule,
    object: a.object,
    severity: a.severity,
    status: a.status,
    value: a.value,
    since: iso(a.since),
    firedAt: iso(a.firedAt),
    ackedBy: a.ackedBy,
    ackedAt: iso(a.ackedAt),
    suppressed: a.suppressed,
  };
}

export function drivesData(device: string | null, result: ListResult<DriveView>, now: number) {
  return dataOf("drives", {
    scope: device === null ? null : { device },
    ...listMeta(result, now),
    drives: result.items.map((d) => driveData(d, now)),
  });
}

export function firmwareListData(scope: Scope | null, result: ListResult<FirmwareView>, now: number) {
  return dataOf("firmware", {
    scope,
    ...listMeta(result, now),
    items: result.items.map((f) => firmwareData(f, now)),
  });
}
