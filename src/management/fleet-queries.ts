import type { Statement } from "better-sqlite3";
import type { Clock } from "../lib/clock.js";
import type { Store } from "../store/store.js";
import { recentChanges } from "./change-log.js";
import { checkCompliance, DRIFT_STATUSES, type FirmwareBaseline } from "./compliance.js";
import { isPortDown } from "./diff.js";
import type {
  DataAge,
  DeviceHeader,
  DriveView,
  FirmwareView,
  FleetCounts,
  FleetQueries,
  ListResult,
  PortView,
  Scope,
  StorageView,
} from "./fleet-view.js";
import { isStale } from "./freshness.js";
import { deviceFromRow, driveFromRow, interfaceFromRow } from "./state-repo.js";
import type { DeviceStateRow } from "./state-rows.js";

type Row = Record<string, unknown>;

export interface FleetQueryOptions {
  store: Store;
  clock: Clock;
  /** `firmware_baselines` from the config. */
  baselines: Record<string, FirmwareBaseline>;
}

const DRIVE_ORDER = `CASE status WHEN 'failed' THEN 0 WHEN 'warning' THEN 1 WHEN 'unknown' THEN 2 ELSE 3 END`;

/** SQL condition and parameter restricting rows with a `device` column to a scope. */
function scopeSql(scope: Scope | undefined, column: string): { sql: string; params: string[] } {
  if (!scope) return { sql: "1", params: [] };
  if ("device" in scope) return { sql: `${column} = ?`, params: [scope.device] };
  if ("tag" in scope)
    return { sql: `${column} IN (SELECT device FROM device_tag WHERE tag = ?)`, params: [scope.tag] };
  return { sql: `${column} IN (SELECT name FROM device_state WHERE site = ?)`, params: [scope.site] };
}

function portView(r: Row): PortView {
  const i = interfaceFromRow(r);
  return {
    device: i.device,
    ifIndex: i.ifIndex,
    name: i.name,
    descr: i.descr,
    alias: i.alias,
    adminStatus: i.adminStatus,
    operStatus: i.operStatus,
    downSince: i.downSince,
    speedMbps: i.speedMbps,
    inErrors: i.inErrors,
    outErrors: i.outErrors,
    inDiscards: i.inDiscards,
    outDiscards: i.outDiscards,
    inBps: i.inBps,
    outBps: i.outBps,
    polledAt: i.polledAt,
    intervalMs: Number(r.poll_interval_ms),
  };
}

function driveView(r: Row): DriveView {
  const {
    device,
    key,
    name,
    source,
    kind,
    status,
    rawStatus,
    model,
    serial,
    capacityBytes,
    detail,
    statusSince,
    polledAt,
  } = driveFromRow(r);
  return {
    ...{
      device,
      key,
      name,
      source,
      kind,
      status,
      rawStatus,
      model,
      serial,
      capacityBytes,
      detail,
      statusSince,
      polledAt,
    },
    intervalMs: Number(r.poll_interval_ms),
  };
}

/** Port filter: a status keyword, or text found in the name, alias or description. */
function portMatcher(filter: string | undefined): (p: PortView) => boolean {
  const f = filter?.trim().toLowerCase();
  if (!f) return () => true;
  if (f === "down") return isPortDown;
  if (f === "up") return (p) => p.operStatus === "up";
  if (f === "errors") return (p) => p.inErrors + p.outErrors > 0;
  return (p) => [p.name, p.alias, p.descr].some((s) => s.toLowerCase().includes(f));
}

export function createFleetQueries(options: FleetQueryOptions): FleetQueries {
  const { store, clock, baselines } = options;
  const db = store.db;
  const stmt = (() => {
    const cache = new Map<string, Statement<unknown[]>>();
    return (sql: string) => {
      let s = cache.get(sql);
      if (!s) {
        s = db.prepare<unknown[]>(sql);
        cache.set(sql, s);
      }
      return s;
    };
  })();

  const tagsOf = (name: string) =>
    stmt("SELECT tag FROM device_tag WHERE device = ? ORDER BY tag").pluck().all(name) as string[];

  const header = (d: DeviceStateRow): DeviceHeader => ({
    name: d.name,
    host: d.host,
    site: d.site,
    tags: tagsOf(d.name),
    reachable: d.reachable,
    lastPolledAt: d.lastPolledAt,
    lastOkAt: d.lastOkAt,
    lastError: d.lastError,
    consecutiveFailures: d.consecutiveFailures,
    pollIntervalMs: d.pollIntervalMs,
  });

  const firmwareOf = (d: DeviceStateRow): FirmwareView => {
    const version = d.softwareRev ?? d.firmwareRev;
    return {
      device: d.name,
      model: d.model,
      version,
      softwareRev: d.softwareRev,
      firmwareRev: d.firmwareRev,
      versionSource: d.versionSource,
      compliance: checkCompliance(d.model ?? undefined, version ?? undefined, baselines),
      age: { polledAt: d.entityAt, intervalMs: d.pollIntervalMs },
    };
  };

  const loadDevice = (name: string) => {
    const row = stmt("SELECT * FROM device_state WHERE name = ?").get(name) as Row | undefined;
    return row ? deviceFromRow(row) : undefined;
  };

  const listAge = (rows: { polledAt: number | null; intervalMs: number }[]): DataAge => {
    let polledAt: number | null = null;
    let intervalMs = 0;
    for (const r of rows) {
      if (r.polledAt !== null && (polledAt === null || r.polledAt < polledAt)) polledAt = r.polledAt;
      intervalMs = Math.max(intervalMs, r.intervalMs);
    }
    return { polledAt, intervalMs };
  };

  /** The age of the devices in a scope, and which of them have stale or no data. */
  const scopeFreshness = (scope: Scope | undefined): { age: DataAge; stale: string[] } => {
    const where = scopeSql(scope, "name");
    const rows = stmt(
      `SELECT name, last_ok_at, poll_interval_ms FROM device_state WHERE ${where.sql} ORDER BY name`,
    ).all(...where.params) as Row[];
    const now = clock.now();
    const ages = rows.map((r) => ({
      name: String(r.name),
      polledAt: r.last_ok_at === null ? null : Number(r.last_ok_at),
      intervalMs: Number(r.poll_interval_ms),
    }));
    return { age: listAge(ages), stale: ages.filter((a) => isStale(a, now)).map((a) => a.name) };
  };

  const listResult = <T>(items: T[], agg: Row, scope: Scope | undefined): ListResult<T> => {
    const scoped = scopeFreshness(scope);
    return {
      items,
      total: Number(agg.total),
      devices: Number(agg.devices),
      age:
        agg.oldest === null || agg.oldest === undefined
          ? scoped.age
          : { polledAt: Number(agg.oldest), intervalMs: Number(agg.interval ?? 0) },
      staleDevices: scoped.stale,
    };
  };

  const self: FleetQueries = {
    resolveDevice(name) {
      return stmt("SELECT name FROM device_state WHERE name = ? COLLATE NOCASE").pluck().get(name.trim()) as
        | string
        | undefined;
    },

    resolveScope(word) {
      const device = self.resolveDevice(word);
      if (device) return { device };
      const tag = stmt("SELECT tag FROM device_tag WHERE tag = ? COLLATE NOCASE LIMIT 1").pluck().get(word) as
        | string
        | undefined;
      if (tag) return { tag };
      const site = stmt("SELECT site FROM device_state WHERE site = ? COLLATE NOCASE LIMIT 1")
        .pluck()
        .get(word) as string | undefined;
      return site ? { site } : undefined;
    },

    deviceNames: () => stmt("SELECT name FROM device_state ORDER BY name").pluck().all() as string[],
    tags: () => stmt("SELECT DISTINCT tag FROM device_tag ORDER BY tag").pluck().all() as string[],
    sites: () =>
      stmt("SELECT DISTINCT site FROM device_state WHERE site IS NOT NULL ORDER BY site")
        .pluck()
        .all() as string[],

    links(name, filter) {
      const d = loadDevice(name);
      if (!d) return undefined;
      const rows = stmt(
        `SELECT i.*, d.poll_interval_ms FROM interface_state i JOIN device_state d ON d.name = i.device
         WHERE i.device = ? ORDER BY i.if_index`,
      ).all(d.name) as Row[];
      const all = rows.map(portView);
      return {
        device: header(d),
        ports: all.filter(portMatcher(filter)),
        totalPorts: all.length,
        age: all.length > 0 ? listAge(all) : { polledAt: d.lastOkAt, intervalMs: d.pollIntervalMs },
      };
    },

    linksDown(scope, limit = 100) {
      const where = scopeSql(scope, "i.device");
      const rows = stmt(
        `SELECT i.*, d.poll_interval_ms FROM interface_state i JOIN device_state d ON d.name = i.device
         WHERE i.oper_down = 1 AND ${where.sql} ORDER BY i.down_since DESC, i.device, i.if_index LIMIT ?`,
      ).all(...where.params, limit) as Row[];
      const agg = stmt(
        `SELECT count(*) AS total, count(DISTINCT i.device) AS devices, min(i.polled_at) AS oldest,
           max(d.poll_interval_ms) AS interval
         FROM interface_state i JOIN device_state d ON d.name = i.device WHERE i.oper_down = 1 AND ${where.sql}`,
      ).get(...where.params) as Row;
      return listResult(rows.map(portView), agg, scope);
    },

    drives({ scope, failingOnly = false, limit = 200 } = {}) {
      const where = scopeSql(scope, "v.device");
      const status = failingOnly ? "v.status <> 'ok'" : "1";
      const rows = stmt(
        `SELECT v.*, d.poll_interval_ms FROM drive_state v JOIN device_state d ON d.name = v.device
         WHERE ${status} AND ${where.sql} ORDER BY ${DRIVE_ORDER}, v.device, v.key LIMIT ?`,
      ).all(...where.params, limit) as Row[];
      const agg = stmt(
        `SELECT count(*) AS total, count(DISTINCT v.device) AS devices, min(v.polled_at) AS oldest,
           max(d.poll_interval_ms) AS interval
         FROM drive_state v JOIN device_state d ON d.name = v.device WHERE ${status} AND ${where.sql}`,
      ).get(...where.params) as Row;
      return listResult(rows.map(driveView), agg, scope);
    },

    firmware({ scope, driftOnly = false } = {}) {
      const where = scopeSql(scope, "name");
      const rows = stmt(`SELECT * FROM device_state WHERE ${where.sql} ORDER BY name`).all(
        ...where.params,
      ) as Row[];
      const all = rows.map((r) => firmwareOf(deviceFromRow(r)));
      const items = driftOnly ? all.filter((f) => DRIFT_STATUSES.includes(f.compliance.status)) : all;
      const scoped = scopeFreshness(scope);
      return {
        items,
        total: items.length,
        devices: items.length,
        age: items.length > 0 ? listAge(items.map((f) => f.age)) : scoped.age,
        staleDevices: scoped.stale,
      };
    },

    device(name) {
      const d = loadDevice(name);
      if (!d) return undefined;
      const ports = stmt(
        `SELECT count(*) AS total, sum(oper_status = 'up') AS up, sum(oper_down) AS down,
           sum(admin_status <> 'up') AS admin_down FROM interface_state WHERE device = ?`,
      ).get(d.name) as Row;
      const drives = stmt(
        `SELECT v.*, d.poll_interval_ms FROM drive_state v JOIN device_state d ON d.name = v.device
         WHERE v.device = ? ORDER BY ${DRIVE_ORDER}, v.key`,
      ).all(d.name) as Row[];
      const storage = (
        stmt("SELECT * FROM storage_state WHERE device = ? ORDER BY idx").all(d.name) as Row[]
      ).map(
        (r): StorageView => ({
          index: Number(r.idx),
          descr: String(r.descr),
          type: String(r.type),
          sizeBytes: Number(r.size_bytes),
          usedBytes: Number(r.used_bytes),
        }),
      );
      return {
        device: header(d),
        system: { descr: d.sysDescr, objectId: d.sysObjectId, sysName: d.sysName, uptimeCs: d.uptimeCs },
        entity: { model: d.model, serial: d.serial, hardwareRev: d.hardwareRev },
        firmware: firmwareOf(d),
        ports: {
          total: Number(ports.total),
          up: Number(ports.up ?? 0),
          down: Number(ports.down ?? 0),
          adminDown: Number(ports.admin_down ?? 0),
        },
        drives: drives.map(driveView),
        storage,
        recentChanges: recentChanges(store, d.name, 5),
        age: { polledAt: d.lastOkAt, intervalMs: d.pollIntervalMs },
      };
    },

    fleet(): FleetCounts {
      const now = clock.now();
      const devices = (stmt("SELECT * FROM device_state").all() as Row[]).map(deviceFromRow);
      let reachable = 0;
      let unreachable = 0;
      let neverPolled = 0;
      let stale = 0;
      let firmwareNonCompliant = 0;
      let firmwareUnknown = 0;
      for (const d of devices) {
        if (d.reachable === null) neverPolled++;
        else if (d.reachable) reachable++;
        else unreachable++;
        if (isStale({ polledAt: d.lastOkAt, intervalMs: d.pollIntervalMs }, now)) stale++;
        const status = firmwareOf(d).compliance.status;
        if (status === "below" || status === "mismatch") firmwareNonCompliant++;
        if (status === "unknown") firmwareUnknown++;
      }
      const portsDown = stmt("SELECT count(*) FROM interface_state WHERE oper_down = 1")
        .pluck()
        .get() as number;
      const drives = stmt(
        "SELECT sum(status = 'failed') AS failed, sum(status = 'warning') AS warning FROM drive_state WHERE status <> 'ok'",
      ).get() as Row;
      return {
        devices: devices.length,
        reachable,
        unreachable,
        neverPolled,
        stale,
        portsDown,
        drivesFailed: Number(drives.failed ?? 0),
        drivesWarning: Number(drives.warning ?? 0),
        firmwareNonCompliant,
        firmwareUnknown,
        age: listAge(devices.map((d) => ({ polledAt: d.lastOkAt, intervalMs: d.pollIntervalMs }))),
      };
    },
  };
  return self;
}
