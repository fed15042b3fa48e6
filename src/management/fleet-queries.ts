import type { Clock } from "../lib/clock.js";
import type { Store } from "../store/store.js";
import { recentChanges } from "./change-log.js";
import type { FirmwareBaseline } from "./compliance.js";
import { isPortDown } from "./diff.js";
import { mergeDrives } from "./drive-merge.js";
import { createFirmwareJudge, FIRMWARE_COLUMNS, sortFirmware } from "./fleet-firmware.js";
import type {
  DataAge,
  DeviceHeader,
  DriveView,
  FleetCounts,
  FleetQueries,
  ListResult,
  PortView,
  StorageView,
} from "./fleet-query-types.js";
import {
  driveView,
  PORT_COLUMNS,
  PRESENT,
  portView,
  type Row,
  type ScopeFreshness,
  scopeFreshness,
  scopeSql,
  statementCache,
} from "./fleet-sql.js";
import { STALE_AFTER_INTERVALS } from "./freshness.js";
import { scopeKey } from "./scope-aggregates.js";
import { readSourceStatus } from "./sources/source-status.js";
import { deviceFromRow } from "./state-repo.js";
import type { DeviceStateRow } from "./state-rows.js";

export interface FleetQueryOptions {
  store: Store;
  clock: Clock;
  /** `firmware_baselines` from the config. */
  baselines: Record<string, FirmwareBaseline>;
}

/**
 * Port filter: a status keyword (down | up | errors), else the most specific text match — the exact
 * port name, then names starting with it ("Te" → Te1/1/1…), then name or alias containing it, then
 * the description containing it (so "Te" does not match every "GigabitEthernet").
 */
function filterPorts(ports: PortView[], filter: string | undefined): PortView[] {
  const f = filter?.trim().toLowerCase();
  if (!f) return ports;
  if (f === "down") return ports.filter(isPortDown);
  if (f === "up") return ports.filter((p) => p.operStatus === "up");
  if (f === "errors") return ports.filter((p) => p.inErrors + p.outErrors > 0);
  const tiers: Array<(p: PortView) => boolean> = [
    (p) => p.name.toLowerCase() === f,
    (p) => p.name.toLowerCase().startsWith(f),
    (p) => p.name.toLowerCase().includes(f) || p.alias.toLowerCase().includes(f),
    (p) => p.descr.toLowerCase().includes(f),
  ];
  for (const tier of tiers) {
    const found = ports.filter(tier);
    if (found.length > 0) return found;
  }
  return [];
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** A list answer: its rows' age, or with no rows the age of the scope's devices. */
function listResult<T>(items: T[], agg: Row, scoped: ScopeFreshness): ListResult<T> {
  const oldest = num(agg.oldest);
  return {
    items,
    total: Number(agg.total ?? 0),
    devices: Number(agg.devices ?? 0),
    age: oldest === null ? scoped.age : { polledAt: oldest, intervalMs: scoped.age.intervalMs },
    staleCount: scoped.staleCount,
    staleDevices: scoped.staleSample,
  };
}

/** The fleet queries, read-only, over the SQLite device cache. */
export function createFleetQueries(options: FleetQueryOptions): FleetQueries {
  const { store, clock } = options;
  const stmt = statementCache(store.db);
  const firmware = createFirmwareJudge(options.baselines);

  const header = (d: DeviceStateRow): DeviceHeader => ({
    name: d.name,
    host: d.host,
    site: d.site,
    tags: stmt("SELECT tag FROM device_tag WHERE device = ? ORDER BY tag").pluck().all(d.name) as string[],
    reachable: d.reachable,
    lastPolledAt: d.lastPolledAt,
    lastOkAt: d.lastOkAt,
    lastError: d.lastError,
    consecutiveFailures: d.consecutiveFailures,
    pollIntervalMs: d.pollIntervalMs,
  });

  const loadDevice = (name: string): DeviceStateRow | undefined => {
    const row = stmt(`SELECT * FROM device_state WHERE name = ? AND ${PRESENT}`).get(name) as Row | undefined;
    return row ? deviceFromRow(row) : undefined;
  };

  const nameLike = (table: string, column: string, word: string, where = "1") =>
    stmt(`SELECT ${column} FROM ${table} WHERE ${column} = ? COLLATE NOCASE AND ${where} LIMIT 1`)
      .pluck()
      .get(word.trim()) as string | undefined;

  const self: FleetQueries = {
    resolveDevice: (name) => nameLike("device_state", "name", name, PRESENT),

    resolveScope(word) {
      const device = nameLike("device_state", "name", word, PRESENT);
      if (device) return { device };
      const tag = nameLike("device_tag", "tag", word, scopeSql(undefined, "device").sql);
      if (tag) return { tag };
      const site = nameLike("device_state", "site", word, PRESENT);
      return site ? { site } : undefined;
    },

    deviceNames: () =>
      stmt(`SELECT name FROM device_state WHERE ${PRESENT} ORDER BY name`).pluck().all() as string[],
    hasDevices: () => stmt(`SELECT 1 FROM device_state WHERE ${PRESENT} LIMIT 1`).get() !== undefined,
    tags: () =>
      stmt(`SELECT DISTINCT tag FROM device_tag WHERE ${scopeSql(undefined, "device").sql} ORDER BY tag`)
        .pluck()
        .all() as string[],
    sites: () =>
      stmt(`SELECT DISTINCT site FROM device_state WHERE site IS NOT NULL AND ${PRESENT} ORDER BY site`)
        .pluck()
        .all() as string[],

    links(name, filter) {
      const d = loadDevice(name);
      if (!d) return undefined;
      const all = (
        stmt(
          `SELECT ${PORT_COLUMNS} FROM interface_state i JOIN device_state d ON d.name = i.device
           WHERE i.device = ? ORDER BY i.if_index`,
        ).all(d.name) as Row[]
      ).map(portView);
      let oldest: number | null = null;
      for (const p of all) if (oldest === null || p.polledAt < oldest) oldest = p.polledAt;
      return {
        device: header(d),
        ports: filterPorts(all, filter),
        totalPorts: all.length,
        age: { polledAt: oldest ?? d.lastOkAt, intervalMs: d.pollIntervalMs },
      };
    },

    linksDown(scope, limit = 100) {
      const freshness = scopeFreshness(stmt, scope, clock.now());
      const key = scopeKey(scope);
      if (key === undefined) {
        // One device: its own down ports (interface_down_device), however large the fleet.
        const device = (scope as { device: string }).device;
        const rows = stmt(
          `SELECT ${PORT_COLUMNS} FROM interface_state i INDEXED BY interface_down_device
           JOIN device_state d ON d.name = i.device
           WHERE i.device = ? AND i.oper_down = 1 ORDER BY i.down_since DESC, i.if_index LIMIT ?`,
        ).all(device, limit) as Row[];
        const agg = stmt(
          `SELECT count(*) AS total, count(DISTINCT device) AS devices, min(polled_at) AS oldest
           FROM interface_state INDEXED BY interface_down_device WHERE device = ? AND oper_down = 1`,
        ).get(device) as Row;
        return listResult(rows.map(portView), agg, freshness);
      }
      // Fleet, site or tag: the first `limit` in answer order straight off scope_port_down_order, and
      // totals kept on write (scope-aggregates.ts) — nothing here grows with the fleet.
      const rows = stmt(
        `SELECT ${PORT_COLUMNS} FROM scope_port_down p INDEXED BY scope_port_down_order
         JOIN interface_state i ON i.device = p.device AND i.if_index = p.if_index
         JOIN device_state d ON d.name = p.device
         WHERE p.scope = ? ORDER BY p.down_since DESC, p.device, p.if_index LIMIT ?`,
      ).all(key, limit) as Row[];
      const counts = stmt("SELECT ports AS total, devices FROM scope_down_count WHERE scope = ?").get(key) as
        | Row
        | undefined;
      const oldest = stmt("SELECT min(polled_at) FROM scope_port_down WHERE scope = ?").pluck().get(key);
      return listResult(rows.map(portView), { ...counts, oldest }, freshness);
    },

    drives({ scope, failingOnly = false, limit = 200 } = {}) {
      // Every row of the scope: one physical drive may be several rows (sources), joined before
      // filtering, counting and limiting, so a count is of drives, not of reports.
      const where = scopeSql(scope, "v.device");
      const rows = stmt(
        `SELECT v.*, d.poll_interval_ms FROM drive_state v JOIN device_state d ON d.name = v.device
         WHERE ${where.sql} ORDER BY v.device, v.key`,
      ).all(...where.params) as Row[];
      const drives = sortDrives(mergeDrives(rows.map(driveView))).filter(
        (d) => !failingOnly || d.status !== "ok",
      );
      const agg = {
        total: drives.length,
        devices: new Set(drives.map((d) => d.device)).size,
        oldest: drives.length === 0 ? null : Math.min(...drives.map((d) => d.polledAt)),
      };
      return listResult(drives.slice(0, limit), agg, scopeFreshness(stmt, scope, clock.now()));
    },

    firmware({ scope, driftOnly = false, limit = 200 } = {}) {
      const where = scopeSql(scope, "name");
      const rows = stmt(`SELECT ${FIRMWARE_COLUMNS} FROM device_state WHERE ${where.sql}`).all(
        ...where.params,
      ) as Row[];
      const items = sortFirmware(rows.map(firmware.view), driftOnly);
      let oldest: number | null = null;
      for (const f of items) {
        if (f.age.polledAt !== null && (oldest === null || f.age.polledAt < oldest)) oldest = f.age.polledAt;
      }
      const agg = { total: items.length, devices: items.length, oldest };
      return listResult(items.slice(0, limit), agg, scopeFreshness(stmt, scope, clock.now()));
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
         WHERE v.device = ? ORDER BY v.key`,
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
      const fw = stmt(`SELECT ${FIRMWARE_COLUMNS} FROM device_state WHERE name = ?`).get(d.name) as Row;
      return {
        device: header(d),
        system: { descr: d.sysDescr, objectId: d.sysObjectId, sysName: d.sysName, uptimeCs: d.uptimeCs },
        entity: { model: d.model, serial: d.serial, hardwareRev: d.hardwareRev },
        firmware: firmware.view(fw),
        ports: {
          total: Number(ports.total),
          up: Number(ports.up ?? 0),
          down: Number(ports.down ?? 0),
          adminDown: Number(ports.admin_down ?? 0),
        },
        drives: sortDrives(mergeDrives(drives.map(driveView))),
        storage,
        recentChanges: recentChanges(store, d.name, 5),
        age: { polledAt: d.lastOkAt, intervalMs: d.pollIntervalMs },
      };
    },

    sources: () => readSourceStatus(store),

    fleet(): FleetCounts {
      const now = clock.now();
      const c = stmt(
        `SELECT count(*) AS devices, sum(reachable = 1) AS reachable, sum(reachable = 0) AS unreachable,
           sum(reachable IS NULL) AS never,
           sum(last_ok_at IS NULL OR ? - last_ok_at > ${STALE_AFTER_INTERVALS} * poll_interval_ms) AS stale,
           min(last_ok_at) AS oldest, max(poll_interval_ms) AS interval
         FROM device_state WHERE ${PRESENT}`,
      ).get(now) as Row;
      let firmwareNonCompliant = 0;
      let firmwareUnknown = 0;
      const versions = stmt(
        `SELECT model, coalesce(software_rev, firmware_rev) AS version, count(*) AS n
         FROM device_state WHERE ${PRESENT} GROUP BY 1, 2`,
      ).all() as Row[];
      for (const v of versions) {
        const status = firmware.judge(v.model as string | null, v.version as string | null).status;
        if (status === "below" || status === "mismatch") firmwareNonCompliant += Number(v.n);
        if (status === "unknown") firmwareUnknown += Number(v.n);
      }
      // Drives of devices with a drive not ok, joined per physical drive (drive-merge.ts).
      const joined = mergeDrives(
        (
          stmt(
            `SELECT v.*, 0 AS poll_interval_ms FROM drive_state v
             WHERE v.device IN (SELECT device FROM drive_state WHERE status <> 'ok' AND ${scopeSql(undefined, "device").sql})
             ORDER BY v.device, v.key`,
          ).all() as Row[]
        ).map(driveView),
      );
      const drives = {
        failed: joined.filter((x) => x.status === "failed").length,
        warning: joined.filter((x) => x.status === "warning").length,
      };
      const age: DataAge = { polledAt: num(c.oldest), intervalMs: Number(c.interval ?? 0) };
      return {
        devices: Number(c.devices),
        reachable: Number(c.reachable ?? 0),
        unreachable: Number(c.unreachable ?? 0),
        neverPolled: Number(c.never ?? 0),
        stale: Number(c.stale ?? 0),
        portsDown: Number(stmt("SELECT ports FROM scope_down_count WHERE scope = '*'").pluck().get() ?? 0),
        removed: stmt("SELECT count(*) FROM device_state WHERE removed_at IS NOT NULL")
          .pluck()
          .get() as number,
        drivesFailed: Number(drives.failed ?? 0),
        drivesWarning: Number(drives.warning ?? 0),
        firmwareNonCompliant,
        firmwareUnknown,
        age,
      };
    },
  };
  return self;
}

const DRIVE_RANK = { failed: 0, warning: 1, unknown: 2, ok: 3 } as const;

/** Failing first, then by device and name. */
function sortDrives(drives: DriveView[]): DriveView[] {
  return drives.sort(
    (a, b) =>
      DRIVE_RANK[a.status] - DRIVE_RANK[b.status] ||
      a.device.localeCompare(b.device) ||
      a.key.localeCompare(b.key),
  );
}
