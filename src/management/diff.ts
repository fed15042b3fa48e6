import { compareVersions } from "../lib/versions.js";
import { octetRate, sampleSeconds, uptimeContinuity } from "./counters.js";
import { downSince } from "./down-since.js";
import type {
  DeviceObservation,
  EntityObservation,
  InterfaceObservation,
  OperStatus,
} from "./observations.js";
import type {
  ChangeEntry,
  DeviceStateRow,
  DriveStateRow,
  InterfaceStateRow,
  PollWrite,
  PreviousState,
  StorageStateRow,
} from "./state-rows.js";

/** Oper states of an admin-up port that mean "this link is down" (dormant and testing are not). */
export const DOWN_OPER_STATES: readonly OperStatus[] = ["down", "lowerLayerDown", "notPresent"];

const MAX_ERROR_LENGTH = 500;

export function isPortDown(p: { adminStatus: string; operStatus: OperStatus }): boolean {
  return p.adminStatus === "up" && DOWN_OPER_STATES.includes(p.operStatus);
}

/**
 * Turns the previous state and one observation into the rows and change-log entries to write. Pure:
 * the poller runs it inside the poll's transaction.
 *
 * The first sight of a port, drive or device logs a change only when it needs attention (an admin-up
 * port that is down, a drive not ok, an unreachable device), so adding a fleet does not flood the log;
 * from then on every transition is logged.
 */
export function diffPoll(prev: PreviousState, obs: DeviceObservation): PollWrite {
  const at = obs.at;
  const before = prev.device;
  const changes: ChangeEntry[] = [];
  const change = (c: Omit<ChangeEntry, "at" | "device">) => changes.push({ at, device: before.name, ...c });
  const errorText = describeErrors(obs);

  // An agent that answered but let us read nothing (SNMPv3 credentials refused) failed this poll as
  // surely as one that never answered: its old data must age, not look fresh.
  if (!obs.reachable || !readAnything(obs)) {
    // Keep every section as it was: the last data stays visible, aged by last_ok_at.
    const device: DeviceStateRow = {
      ...before,
      lastPolledAt: at,
      lastError: errorText ?? "unreachable",
      consecutiveFailures: before.consecutiveFailures + 1,
      reachable: false,
    };
    if (before.reachable !== false) {
      change({
        kind: "reachability",
        objectKey: "",
        old: before.reachable === null ? null : "reachable",
        new: "unreachable",
        detail: { error: device.lastError, lastOkAt: before.lastOkAt },
      });
    }
    return { device, changes };
  }

  const device: DeviceStateRow = {
    ...before,
    lastPolledAt: at,
    // A partial poll refreshes only the sections it read (their own timestamps); the device's data
    // age moves only when everything was read, so a device failing part of every poll goes stale.
    lastOkAt: errorText === null ? at : before.lastOkAt,
    lastError: errorText,
    consecutiveFailures: 0,
    reachable: true,
  };
  if (before.reachable === false) {
    change({
      kind: "reachability",
      objectKey: "",
      old: "unreachable",
      new: "reachable",
      detail: { failures: before.consecutiveFailures, lastOkAt: before.lastOkAt },
    });
  }

  if (obs.system) {
    const s = obs.system;
    const elapsed = before.systemAt === null ? 0 : at - before.systemAt;
    if (uptimeContinuity(before.uptimeCs, s.uptimeCs, elapsed) === "restarted") {
      change({
        kind: "reboot",
        objectKey: "",
        old: String(before.uptimeCs),
        new: String(s.uptimeCs),
        detail: { bootedAt: at - s.uptimeCs * 10 },
      });
    }
    Object.assign(device, {
      sysDescr: s.descr,
      sysObjectId: s.objectId,
      sysName: s.name,
      uptimeCs: s.uptimeCs,
      systemAt: at,
    });
  }

  if (obs.entity) diffEntity(before, obs.entity, device, change);

  const write: PollWrite = { device, changes };
  if (obs.interfaces)
    write.interfaces = diffInterfaces(prev, obs.interfaces, obs.system?.uptimeCs ?? null, at, change);
  if (obs.drives) write.drives = diffDrives(prev, obs.drives, at, change);
  if (obs.storage) {
    write.storage = obs.storage.map((s): StorageStateRow => ({ device: before.name, ...s, polledAt: at }));
  }
  return write;
}

function readAnything(obs: DeviceObservation): boolean {
  return (
    obs.system !== undefined ||
    obs.interfaces !== undefined ||
    obs.entity !== undefined ||
    obs.drives !== undefined ||
    obs.storage !== undefined
  );
}

type Change = (c: Omit<ChangeEntry, "at" | "device">) => void;

function describeErrors(obs: DeviceObservation): string | null {
  if (obs.errors.length === 0) return null;
  const text = obs.errors.map((e) => `${e.collector}: ${e.message}`).join("; ");
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

const orNull = (s: string): string | null => (s.trim() === "" ? null : s.trim());

/** A version change is logged only between two known versions that really differ ("7.0(3)I7(8)" = "7.0.3.I7(8)"). */
function versionChanged(old: string | null, now: string | null): boolean {
  if (old === null || now === null) return false;
  const cmp = compareVersions(old, now);
  return cmp === undefined ? old !== now : cmp !== 0;
}

function diffEntity(
  before: DeviceStateRow,
  e: EntityObservation,
  device: DeviceStateRow,
  change: Change,
): void {
  const firmware = orNull(e.firmwareRev);
  const software = orNull(e.softwareRev);
  const detail = { model: orNull(e.model), source: e.source };
  if (versionChanged(before.firmwareRev, firmware)) {
    change({ kind: "firmware", objectKey: "", old: before.firmwareRev, new: firmware, detail });
  }
  if (versionChanged(before.softwareRev, software)) {
    change({ kind: "software", objectKey: "", old: before.softwareRev, new: software, detail });
  }
  Object.assign(device, {
    model: orNull(e.model),
    serial: orNull(e.serial),
    hardwareRev: orNull(e.hardwareRev),
    firmwareRev: firmware,
    softwareRev: software,
    versionSource: e.source,
    entityAt: device.lastOkAt,
  });
}

function diffInterfaces(
  prev: PreviousState,
  observed: InterfaceObservation[],
  uptimeCs: number | null,
  at: number,
  change: Change,
): NonNullable<PollWrite["interfaces"]> {
  const byIndex = new Map(prev.interfaces.map((r) => [r.ifIndex, r]));
  const byName = new Map(prev.interfaces.filter((r) => r.name !== "").map((r) => [r.name, r]));
  const seen = new Set<number>();
  const countersOnly = new Set<number>();
  const rows = observed.map((i): InterfaceStateRow => {
    seen.add(i.ifIndex);
    // ifIndex may be renumbered after a reboot; the name is what a person means by "the port".
    const atIndex = byIndex.get(i.ifIndex);
    const p = atIndex && atIndex.name === i.name ? atIndex : i.name === "" ? atIndex : byName.get(i.name);
    const portKey = i.name || `ifIndex ${i.ifIndex}`;
    if (p ? p.operStatus !== i.operStatus : isPortDown(i)) {
      change({
        kind: "port_oper",
        objectKey: portKey,
        old: p ? p.operStatus : null,
        new: i.operStatus,
        detail: { ifIndex: i.ifIndex, alias: i.alias, adminStatus: i.adminStatus, speedMbps: i.speedMbps },
      });
    }
    const rates = portRates(p, i, uptimeCs, at);
    const row: InterfaceStateRow = {
      device: prev.device.name,
      ifIndex: i.ifIndex,
      name: i.name,
      descr: i.descr,
      alias: i.alias,
      adminStatus: i.adminStatus,
      operStatus: i.operStatus,
      lastChangeCs: i.lastChangeCs,
      downSince: downSince(i, uptimeCs, at, p),
      speedMbps: i.speedMbps,
      inErrors: i.inErrors,
      outErrors: i.outErrors,
      inDiscards: i.inDiscards,
      outDiscards: i.outDiscards,
      inOctets: i.inOctets,
      outOctets: i.outOctets,
      counterBits: i.counterBits,
      sampleUptimeCs: uptimeCs,
      inBps: rates.inBps,
      outBps: rates.outBps,
      polledAt: at,
    };
    if (atIndex && sameExceptCounters(atIndex, row)) countersOnly.add(i.ifIndex);
    return row;
  });
  const removed = prev.interfaces.filter((r) => !seen.has(r.ifIndex)).map((r) => r.ifIndex);
  return { rows, removed, countersOnly };
}

/** Whether a stored port row and its next row differ only in what every poll moves on (counters, rates, times). */
function sameExceptCounters(stored: InterfaceStateRow, row: InterfaceStateRow): boolean {
  return (
    stored.name === row.name &&
    stored.descr === row.descr &&
    stored.alias === row.alias &&
    stored.adminStatus === row.adminStatus &&
    stored.operStatus === row.operStatus &&
    stored.lastChangeCs === row.lastChangeCs &&
    stored.downSince === row.downSince &&
    stored.speedMbps === row.speedMbps
  );
}

function portRates(
  p: InterfaceStateRow | undefined,
  i: InterfaceObservation,
  uptimeCs: number | null,
  at: number,
): { inBps: number | null; outBps: number | null } {
  const none = { inBps: null, outBps: null };
  if (!p || p.counterBits !== i.counterBits) return none;
  const continuity = uptimeContinuity(p.sampleUptimeCs, uptimeCs, at - p.polledAt);
  if (continuity === "restarted") return none;
  const seconds = sampleSeconds({ at: p.polledAt, uptimeCs: p.sampleUptimeCs }, { at, uptimeCs }, continuity);
  const rate = (prevOctets: bigint, curOctets: bigint) => {
    const r = octetRate(prevOctets, curOctets, i.counterBits, seconds, i.speedMbps);
    return r.kind === "rate" ? r.bps : null;
  };
  return { inBps: rate(p.inOctets, i.inOctets), outBps: rate(p.outOctets, i.outOctets) };
}

function diffDrives(
  prev: PreviousState,
  drives: NonNullable<DeviceObservation["drives"]>,
  at: number,
  change: Change,
): NonNullable<PollWrite["drives"]> {
  // A poll replaces only the sources it reports (SNMP and SSH collectors share one drive view).
  const sources = new Set<string>([...drives.sources, ...drives.items.map((d) => d.source)]);
  const previous = new Map(prev.drives.filter((r) => sources.has(r.source)).map((r) => [r.key, r]));
  const rows = drives.items.map((d): DriveStateRow => {
    const p = previous.get(d.key);
    previous.delete(d.key);
    if (p ? p.status !== d.status : d.status !== "ok") {
      change({
        kind: "drive_status",
        objectKey: d.key,
        old: p ? p.status : null,
        new: d.status,
        detail: {
          name: d.name,
          source: d.source,
          rawStatus: d.rawStatus,
          previousRawStatus: p?.rawStatus ?? null,
        },
      });
    }
    return {
      device: prev.device.name,
      key: d.key,
      name: d.name,
      source: d.source,
      kind: d.kind,
      status: d.status,
      rawStatus: d.rawStatus,
      model: d.model ?? null,
      serial: d.serial ?? null,
      capacityBytes: d.capacityBytes ?? null,
      detail: d.detail ?? null,
      statusSince: p && p.status === d.status ? p.statusSince : at,
      polledAt: at,
    };
  });
  // What is left was reported before and is gone now: a pulled or dead disk often just disappears.
  for (const gone of previous.values()) {
    change({
      kind: "drive_removed",
      objectKey: gone.key,
      old: gone.status,
      new: null,
      detail: { name: gone.name, source: gone.source, rawStatus: gone.rawStatus },
    });
  }
  return { rows, removed: [...previous.keys()] };
}
