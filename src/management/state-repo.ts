import type { Store } from "../store/store.js";
import { isPortDown } from "./diff.js";
import { createScopeAggregates, type PollPorts } from "./scope-aggregates.js";
import type {
  ChangeEntry,
  DeviceStateRow,
  DriveStateRow,
  InterfaceStateRow,
  PollWrite,
  PortRow,
  PreviousState,
} from "./state-rows.js";

/** A configured device as the cache knows it: identity, grouping and how often it is polled. */
export interface DeviceRegistration {
  name: string;
  host: string;
  site?: string | undefined;
  tags: string[];
  pollIntervalMs: number;
}

/** The poller's write side of the device cache. Callers wrap load + apply in one `store.tx`. */
export interface StateRepo {
  /**
   * Makes the cache's device list match the config: adds and updates devices, and marks those no longer
   * configured as removed (never deletes: their history stays until retention). Only the owner calls it.
   * Returns the names newly marked removed.
   */
  syncDevices(devices: DeviceRegistration[], at: number): string[];
  /** Adds or updates these devices (a removed one comes back), leaving every other one alone (devices a source discovered). */
  registerDevices(devices: DeviceRegistration[]): void;
  load(device: string): PreviousState | undefined;
  /** Writes one poll's rows and change-log entries; returns the change-log ids. */
  apply(write: PollWrite): number[];
}

type Row = Record<string, unknown>;

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function deviceFromRow(r: Row): DeviceStateRow {
  return {
    name: String(r.name),
    host: String(r.host),
    site: str(r.site),
    pollIntervalMs: Number(r.poll_interval_ms),
    lastPolledAt: num(r.last_polled_at),
    lastOkAt: num(r.last_ok_at),
    lastError: str(r.last_error),
    consecutiveFailures: Number(r.consecutive_failures),
    reachable: r.reachable === null ? null : r.reachable === 1,
    sysDescr: str(r.sys_descr),
    sysObjectId: str(r.sys_object_id),
    sysName: str(r.sys_name),
    uptimeCs: num(r.uptime_cs),
    systemAt: num(r.system_at),
    model: str(r.model),
    serial: str(r.serial),
    hardwareRev: str(r.hardware_rev),
    firmwareRev: str(r.firmware_rev),
    softwareRev: str(r.software_rev),
    versionSource: str(r.version_source) as DeviceStateRow["versionSource"],
    entityAt: num(r.entity_at),
  };
}

/** The interface_state columns of a PortRow: the answers' SELECT list (prefix each with the table alias). */
export const PORT_ROW_COLUMNS = [
  "device",
  "if_index",
  "name",
  "descr",
  "alias",
  "admin_status",
  "oper_status",
  "down_since",
  "speed_mbps",
  "in_errors",
  "out_errors",
  "in_discards",
  "out_discards",
  "in_bps",
  "out_bps",
  "polled_at",
] as const;

/** A stored port without its counter samples (what answers read; see PORT_ROW_COLUMNS). */
export function portFromRow(r: Row): PortRow {
  return portFromValues(PORT_ROW_COLUMNS.map((c) => r[c]));
}

/** A PortRow from its column values in PORT_ROW_COLUMNS order. */
function portFromValues(v: readonly unknown[]): PortRow {
  return {
    device: String(v[0]),
    ifIndex: Number(v[1]),
    name: String(v[2]),
    descr: String(v[3]),
    alias: String(v[4]),
    adminStatus: v[5] as PortRow["adminStatus"],
    operStatus: v[6] as PortRow["operStatus"],
    downSince: num(v[7]),
    speedMbps: Number(v[8]),
    inErrors: Number(v[9]),
    outErrors: Number(v[10]),
    inDiscards: Number(v[11]),
    outDiscards: Number(v[12]),
    inBps: num(v[13]),
    outBps: num(v[14]),
    polledAt: Number(v[15]),
  };
}

/** The columns interfaceFromRaw reads, in its order: a PortRow's, then the counter samples. */
const INTERFACE_RAW_COLUMNS = [
  ...PORT_ROW_COLUMNS,
  "last_change_cs",
  "in_octets",
  "out_octets",
  "counter_bits",
  "sample_uptime_cs",
] as const;
const SAMPLES = PORT_ROW_COLUMNS.length;

/** A stored port with the counter samples the next poll's rates start from (a raw row in INTERFACE_RAW_COLUMNS order). */
function interfaceFromRaw(r: readonly unknown[]): InterfaceStateRow {
  const row = portFromValues(r) as InterfaceStateRow;
  row.lastChangeCs = Number(r[SAMPLES]);
  row.inOctets = BigInt(String(r[SAMPLES + 1]));
  row.outOctets = BigInt(String(r[SAMPLES + 2]));
  row.counterBits = Number(r[SAMPLES + 3]) === 64 ? 64 : 32;
  row.sampleUptimeCs = num(r[SAMPLES + 4]);
  return row;
}

export function parseDetail(text: unknown): Record<string, string | number> | null {
  if (typeof text !== "string" || text === "") return null;
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, string | number>) : null;
  } catch {
    return null;
  }
}

export function driveFromRow(r: Row): DriveStateRow {
  return {
    device: String(r.device),
    key: String(r.key),
    name: String(r.name),
    source: r.source as DriveStateRow["source"],
    kind: r.kind as DriveStateRow["kind"],
    status: r.status as DriveStateRow["status"],
    rawStatus: String(r.raw_status),
    model: str(r.model),
    serial: str(r.serial),
    capacityBytes: num(r.capacity_bytes),
    detail: parseDetail(r.detail),
    statusSince: Number(r.status_since),
    polledAt: Number(r.polled_at),
  };
}

export function createStateRepo(store: Store): StateRepo {
  const db = store.db;
  const upsertDevice = db.prepare(`
    INSERT INTO device_state (name, host, site, poll_interval_ms) VALUES (@name, @host, @site, @pollIntervalMs)
    ON CONFLICT(name) DO UPDATE SET host = excluded.host, site = excluded.site,
      poll_interval_ms = excluded.poll_interval_ms, removed_at = NULL`);
  const deleteTags = db.prepare("DELETE FROM device_tag WHERE device = ?");
  const insertTag = db.prepare("INSERT OR IGNORE INTO device_tag (tag, device) VALUES (?, ?)");
  const selectDevice = db.prepare("SELECT * FROM device_state WHERE name = ?");
  // Raw rows in a fixed column order (see interfaceFromRaw): a device's ~50 ports are read every poll,
  // and an object per row with named columns cost as much as the query.
  const selectInterfaces = db
    .prepare(`SELECT ${INTERFACE_RAW_COLUMNS.join(", ")} FROM interface_state WHERE device = ?`)
    .raw();
  const selectDrives = db.prepare("SELECT * FROM drive_state WHERE device = ?");
  // Positional, like the port rows below: named parameters bound from a spread copy cost more than the update.
  const updateDevice = db.prepare(`
    UPDATE device_state SET last_polled_at = ?, last_ok_at = ?, last_error = ?, consecutive_failures = ?,
      reachable = ?, sys_descr = ?, sys_object_id = ?, sys_name = ?, uptime_cs = ?, system_at = ?,
      model = ?, serial = ?, hardware_rev = ?, firmware_rev = ?, software_rev = ?, version_source = ?,
      entity_at = ?
    WHERE name = ?`);
  const putInterface = db.prepare(`
    INSERT OR REPLACE INTO interface_state (device, if_index, name, descr, alias, admin_status, oper_status,
      last_change_cs, down_since, speed_mbps, in_errors, out_errors, in_discards, out_discards, in_octets,
      out_octets, counter_bits, sample_uptime_cs, in_bps, out_bps, polled_at, oper_down)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  // The columns a port's steady-state poll moves on; oper_down follows admin/oper status, unchanged here.
  const updateCounters = db.prepare(`
    UPDATE interface_state SET in_errors = ?, out_errors = ?, in_discards = ?, out_discards = ?,
      in_octets = ?, out_octets = ?, counter_bits = ?, sample_uptime_cs = ?, in_bps = ?, out_bps = ?,
      polled_at = ?
    WHERE device = ? AND if_index = ?`);
  const deleteInterface = db.prepare("DELETE FROM interface_state WHERE device = ? AND if_index = ?");
  const putDrive = db.prepare(`
    INSERT OR REPLACE INTO drive_state (device, key, name, source, kind, status, raw_status, model, serial,
      capacity_bytes, detail, status_since, polled_at)
    VALUES (@device, @key, @name, @source, @kind, @status, @rawStatus, @model, @serial, @capacityBytes,
      @detail, @statusSince, @polledAt)`);
  const deleteDrive = db.prepare("DELETE FROM drive_state WHERE device = ? AND key = ?");
  const deleteStorage = db.prepare("DELETE FROM storage_state WHERE device = ?");
  const putStorage = db.prepare(`
    INSERT OR REPLACE INTO storage_state (device, idx, descr, type, size_bytes, used_bytes, polled_at)
    VALUES (@device, @index, @descr, @type, @sizeBytes, @usedBytes, @polledAt)`);
  const insertChange = db.prepare(`
    INSERT INTO change_log (at, device, kind, object_key, old, new, detail)
    VALUES (@at, @device, @kind, @objectKey, @old, @new, @detail)`);

  const registered = db.prepare<[string], string>(`
    SELECT json_array(host, site, poll_interval_ms,
      (SELECT json_group_array(tag) FROM (SELECT tag FROM device_tag WHERE device = name ORDER BY tag)))
    FROM device_state WHERE name = ? AND removed_at IS NULL`);
  const aggregates = createScopeAggregates(db);

  const register = (d: DeviceRegistration) => {
    const tags = [...new Set(d.tags)].sort();
    // An unchanged registration (every start-up) writes nothing; a removed device comes back.
    const wanted = JSON.stringify([d.host, d.site ?? null, d.pollIntervalMs, tags]);
    if (registered.pluck().get(d.name) === wanted) return;
    aggregates.track(d.name, () => {
      upsertDevice.run({
        name: d.name,
        host: d.host,
        site: d.site ?? null,
        pollIntervalMs: d.pollIntervalMs,
      });
      deleteTags.run(d.name);
      for (const tag of tags) insertTag.run(tag, d.name);
    });
  };

  return {
    syncDevices(devices, at) {
      return store.tx(() => {
        for (const d of devices) register(d);
        const keep = new Set(devices.map((d) => d.name));
        const present = db.prepare("SELECT name FROM device_state WHERE removed_at IS NULL").pluck().all();
        const mark = db.prepare("UPDATE device_state SET removed_at = ? WHERE name = ?");
        const removed = (present as string[]).filter((name) => !keep.has(name));
        // Marked, never deleted; the aggregates drop it from every scope (see scope-aggregates.ts).
        for (const name of removed) aggregates.track(name, () => mark.run(at, name));
        return removed;
      });
    },

    registerDevices(devices) {
      store.tx(() => {
        for (const d of devices) register(d);
      });
    },

    load(device) {
      const row = selectDevice.get(device) as Row | undefined;
      if (!row) return undefined;
      return {
        device: deviceFromRow(row),
        interfaces: (selectInterfaces.all(device) as unknown[][]).map(interfaceFromRaw),
        drives: (selectDrives.all(device) as Row[]).map(driveFromRow),
      };
    },

    apply(write) {
      let ports: PollPorts = { kind: "rewritten" };
      return aggregates.track(
        write.device.name,
        () => {
          ports = applyRows(write);
          return changeIds(write);
        },
        () => ports,
      );
    },
  };

  /** Writes the poll's rows; tells the aggregates what it did to the port rows. */
  function applyRows(write: PollWrite): PollPorts {
    const d = write.device;
    updateDevice.run(
      d.lastPolledAt,
      d.lastOkAt,
      d.lastError,
      d.consecutiveFailures,
      d.reachable === null ? null : d.reachable ? 1 : 0,
      d.sysDescr,
      d.sysObjectId,
      d.sysName,
      d.uptimeCs,
      d.systemAt,
      d.model,
      d.serial,
      d.hardwareRev,
      d.firmwareRev,
      d.softwareRev,
      d.versionSource,
      d.entityAt,
      d.name,
    );
    let ports: PollPorts = { kind: "untouched" };
    if (write.interfaces) {
      // Only counters and one poll time moved on, if every row takes the narrow update below.
      const at = write.interfaces.rows[0]?.polledAt;
      let steady = write.interfaces.removed.length === 0 && at !== undefined;
      for (const ifIndex of write.interfaces.removed) deleteInterface.run(d.name, ifIndex);
      // Positional parameters, in the column order above: a fleet writes ~50 rows per device per
      // cycle, and binding 22 named parameters from a spread copy cost twice the insert itself.
      const countersOnly = write.interfaces.countersOnly;
      for (const r of write.interfaces.rows) {
        // A row with only counters and times moved on: 13 parameters instead of 22, updated in place
        // (falls through to the whole row when it is not there after all).
        if (
          countersOnly?.has(r.ifIndex) &&
          updateCounters.run(
            r.inErrors,
            r.outErrors,
            r.inDiscards,
            r.outDiscards,
            r.inOctets.toString(),
            r.outOctets.toString(),
            r.counterBits,
            r.sampleUptimeCs,
            r.inBps,
            r.outBps,
            r.polledAt,
            r.device,
            r.ifIndex,
          ).changes === 1
        ) {
          if (r.polledAt !== at) steady = false;
          continue;
        }
        steady = false;
        putInterface.run(
          r.device,
          r.ifIndex,
          r.name,
          r.descr,
          r.alias,
          r.adminStatus,
          r.operStatus,
          r.lastChangeCs,
          r.downSince,
          r.speedMbps,
          r.inErrors,
          r.outErrors,
          r.inDiscards,
          r.outDiscards,
          r.inOctets.toString(),
          r.outOctets.toString(),
          r.counterBits,
          r.sampleUptimeCs,
          r.inBps,
          r.outBps,
          r.polledAt,
          isPortDown(r) ? 1 : 0,
        );
      }
      ports = steady ? { kind: "polledAt", at: at! } : { kind: "rewritten" };
    }
    if (write.drives) {
      for (const key of write.drives.removed) deleteDrive.run(d.name, key);
      for (const r of write.drives.rows) {
        putDrive.run({ ...r, detail: r.detail === null ? null : JSON.stringify(r.detail) });
      }
    }
    if (write.storage) {
      deleteStorage.run(d.name);
      for (const s of write.storage) putStorage.run(s);
    }
    return ports;
  }

  function changeIds(write: PollWrite): number[] {
    return write.changes.map((c: ChangeEntry) =>
      Number(
        insertChange.run({
          at: c.at,
          device: c.device,
          kind: c.kind,
          objectKey: c.objectKey,
          old: c.old,
          new: c.new,
          detail: c.detail === undefined ? null : JSON.stringify(c.detail),
        }).lastInsertRowid,
      ),
    );
  }
}
