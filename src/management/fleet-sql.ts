import type { Statement } from "better-sqlite3";
import type { Db } from "../store/store.js";
import type { DataAge, DriveView, PortView, Scope } from "./fleet-view.js";
import { STALE_AFTER_INTERVALS } from "./freshness.js";
import { parseDetail } from "./state-repo.js";

/** SQL pieces shared by the fleet queries. Answers read only the columns they show. */
export type Row = Record<string, unknown>;

/** Prepared statements, prepared once per distinct SQL text. */
export function statementCache(db: Db): (sql: string) => Statement<unknown[]> {
  const cache = new Map<string, Statement<unknown[]>>();
  return (sql) => {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare<unknown[]>(sql);
      cache.set(sql, s);
    }
    return s;
  };
}

/** SQL condition and parameters restricting rows with a device-name column to a scope. */
export function scopeSql(scope: Scope | undefined, column: string): { sql: string; params: string[] } {
  if (!scope) return { sql: "1", params: [] };
  if ("device" in scope) return { sql: `${column} = ?`, params: [scope.device] };
  if ("tag" in scope) {
    return { sql: `${column} IN (SELECT device FROM device_tag WHERE tag = ?)`, params: [scope.tag] };
  }
  return { sql: `${column} IN (SELECT name FROM device_state WHERE site = ?)`, params: [scope.site] };
}

/** The interface columns a port answer shows (the octet counters stay in the store). */
export const PORT_COLUMNS = `i.device, i.if_index, i.name, i.descr, i.alias, i.admin_status, i.oper_status,
  i.down_since, i.speed_mbps, i.in_errors, i.out_errors, i.in_discards, i.out_discards, i.in_bps, i.out_bps,
  i.polled_at, d.poll_interval_ms`;

const orNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function portView(r: Row): PortView {
  return {
    device: String(r.device),
    ifIndex: Number(r.if_index),
    name: String(r.name),
    descr: String(r.descr),
    alias: String(r.alias),
    adminStatus: r.admin_status as PortView["adminStatus"],
    operStatus: r.oper_status as PortView["operStatus"],
    downSince: orNull(r.down_since),
    speedMbps: Number(r.speed_mbps),
    inErrors: Number(r.in_errors),
    outErrors: Number(r.out_errors),
    inDiscards: Number(r.in_discards),
    outDiscards: Number(r.out_discards),
    inBps: orNull(r.in_bps),
    outBps: orNull(r.out_bps),
    polledAt: Number(r.polled_at),
    intervalMs: Number(r.poll_interval_ms),
  };
}

export function driveView(r: Row): DriveView {
  return {
    device: String(r.device),
    key: String(r.key),
    name: String(r.name),
    source: r.source as DriveView["source"],
    kind: r.kind as DriveView["kind"],
    status: r.status as DriveView["status"],
    rawStatus: String(r.raw_status),
    model: r.model === null ? null : String(r.model),
    serial: r.serial === null ? null : String(r.serial),
    capacityBytes: orNull(r.capacity_bytes),
    detail: parseDetail(r.detail),
    statusSince: Number(r.status_since),
    polledAt: Number(r.polled_at),
    intervalMs: Number(r.poll_interval_ms),
  };
}

/** Failed first, then warning, unknown, ok. */
export const DRIVE_ORDER = `CASE v.status WHEN 'failed' THEN 0 WHEN 'warning' THEN 1 WHEN 'unknown' THEN 2 ELSE 3 END`;

/** How many stale device names a list answer carries (the count is always exact). */
const STALE_SAMPLE = 10;

export interface ScopeFreshness {
  /** Oldest data among the polled devices in scope; the longest poll interval. */
  age: DataAge;
  staleCount: number;
  /** The first stale (or never polled) devices in scope, by name. */
  staleSample: string[];
}

/** Freshness of every device in a scope, computed in SQL so a fleet-wide answer stays cheap. */
export function scopeFreshness(
  stmt: (sql: string) => Statement<unknown[]>,
  scope: Scope | undefined,
  now: number,
): ScopeFreshness {
  const where = scopeSql(scope, "name");
  const staleSql = `(last_ok_at IS NULL OR ? - last_ok_at > ${STALE_AFTER_INTERVALS} * poll_interval_ms)`;
  const agg = stmt(
    `SELECT min(last_ok_at) AS oldest, max(poll_interval_ms) AS interval, sum(${staleSql}) AS stale
     FROM device_state WHERE ${where.sql}`,
  ).get(now, ...where.params) as Row;
  const staleCount = Number(agg.stale ?? 0);
  const staleSample =
    staleCount === 0
      ? []
      : (stmt(`SELECT name FROM device_state WHERE ${where.sql} AND ${staleSql} ORDER BY name LIMIT ?`)
          .pluck()
          .all(...where.params, now, STALE_SAMPLE) as string[]);
  return {
    age: { polledAt: orNull(agg.oldest), intervalMs: Number(agg.interval ?? 0) },
    staleCount,
    staleSample,
  };
}
