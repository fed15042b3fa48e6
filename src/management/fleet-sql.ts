import type { Statement } from "better-sqlite3";
import type { Db } from "../store/store.js";
import type { DataAge, DriveView, PortView, Scope } from "./fleet-query-types.js";
import { STALE_AFTER_INTERVALS } from "./freshness.js";
import { scopeKey } from "./scope-aggregates.js";
import { driveFromRow, PORT_ROW_COLUMNS, portFromRow } from "./state-repo.js";

/** SQL pieces shared by the fleet queries. */
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

/** Devices that left the config keep their rows (until retention) but no answer shows them. */
export const PRESENT = "removed_at IS NULL";
const NOT_REMOVED = (column: string) =>
  `${column} NOT IN (SELECT name FROM device_state WHERE removed_at IS NOT NULL)`;

/**
 * SQL condition and parameters restricting rows with a device-name column to a scope, and always to
 * devices still in the config (a device scope only ever names one: resolveDevice skips removed ones).
 */
export function scopeSql(scope: Scope | undefined, column: string): { sql: string; params: string[] } {
  if (!scope) return { sql: NOT_REMOVED(column), params: [] };
  if ("device" in scope) return { sql: `${column} = ?`, params: [scope.device] };
  if ("tag" in scope) {
    return {
      sql: `${column} IN (SELECT device FROM device_tag WHERE tag = ?) AND ${NOT_REMOVED(column)}`,
      params: [scope.tag],
    };
  }
  return {
    sql: `${column} IN (SELECT name FROM device_state WHERE site = ? AND ${PRESENT})`,
    params: [scope.site],
  };
}

const orNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** What a port answer selects (interface_state i joined with device_state d): no counter samples. */
export const PORT_COLUMNS = `${PORT_ROW_COLUMNS.map((c) => `i.${c}`).join(", ")}, d.poll_interval_ms`;

/** A port row (see PORT_COLUMNS) as the answers see it. */
export function portView(r: Row): PortView {
  return { ...portFromRow(r), intervalMs: Number(r.poll_interval_ms) };
}

/** A drive row (drive_state joined with its device's poll_interval_ms) as the answers see it. */
export function driveView(r: Row): DriveView {
  const row = driveFromRow(r);
  return { ...row, intervalMs: Number(r.poll_interval_ms), sources: [row.source] };
}

/** How many stale device names a list answer carries (the count is always exact). */
const STALE_SAMPLE = 10;

export interface ScopeFreshness {
  /** Oldest data among the polled devices in scope; the longest poll interval. */
  age: DataAge;
  staleCount: number;
  /** The first stale (or never polled) devices in scope, by name. */
  staleSample: string[];
}

/**
 * Freshness of every device in a scope. Fleet-wide, site and tag scopes read the aggregates kept on
 * write (scope_member, migration 160): index seeks, plus one index range over the stale devices only.
 * A device scope reads its one row.
 */
export function scopeFreshness(
  stmt: (sql: string) => Statement<unknown[]>,
  scope: Scope | undefined,
  now: number,
): ScopeFreshness {
  const key = scopeKey(scope);
  if (key === undefined) return deviceFreshness(stmt, scope as { device: string }, now);
  const oldest = stmt("SELECT min(last_ok_at) FROM scope_member WHERE scope = ?").pluck().get(key);
  const interval = stmt("SELECT max(interval_ms) FROM scope_member WHERE scope = ?").pluck().get(key);
  const staleCount = Number(
    stmt(
      "SELECT count(*) FROM scope_member INDEXED BY scope_member_stale WHERE scope = ? AND stale_after < ?",
    )
      .pluck()
      .get(key, now),
  );
  const staleSample =
    staleCount === 0
      ? []
      : (stmt(
          `SELECT device FROM scope_member INDEXED BY scope_member_stale WHERE scope = ? AND stale_after < ?
           ORDER BY device LIMIT ?`,
        )
          .pluck()
          .all(key, now, STALE_SAMPLE) as string[]);
  return {
    age: { polledAt: orNull(oldest), intervalMs: Number(interval ?? 0) },
    staleCount,
    staleSample,
  };
}

function deviceFreshness(
  stmt: (sql: string) => Statement<unknown[]>,
  scope: { device: string },
  now: number,
): ScopeFreshness {
  const d = stmt("SELECT name, last_ok_at, poll_interval_ms FROM device_state WHERE name = ?").get(
    scope.device,
  ) as Row | undefined;
  if (!d) return { age: { polledAt: null, intervalMs: 0 }, staleCount: 0, staleSample: [] };
  const age: DataAge = { polledAt: orNull(d.last_ok_at), intervalMs: Number(d.poll_interval_ms) };
  const stale = age.polledAt === null || now - age.polledAt > STALE_AFTER_INTERVALS * age.intervalMs;
  return { age, staleCount: stale ? 1 : 0, staleSample: stale ? [String(d.name)] : [] };
}
