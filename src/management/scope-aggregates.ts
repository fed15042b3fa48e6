import type { Db } from "../store/store.js";
import type { Scope } from "./fleet-query-types.js";
import { STALE_AFTER_INTERVALS } from "./freshness.js";

/**
 * Keeps the per-scope aggregates of migration 160 equal to a full recount of the device cache, on
 * write: every change to a device's rows (a poll, a registration, a removal) runs inside `track`,
 * in the caller's transaction, which compares the device's scopes and down-port count before and
 * after and applies only the difference. Readers never count or scan the fleet.
 */
export interface ScopeAggregates {
  /**
   * Runs `change` and brings the device's aggregates up to date with it. `poll` (a poll's rows, not a
   * registration or removal) lets the common case skip work: the device's scopes cannot have moved,
   * and the poll tells afterwards what it did to the port rows (see PollPorts).
   */
  track<T>(device: string, change: () => T, poll?: () => PollPorts): T;
}

/**
 * What a poll did to a device's port rows: `untouched` (no port section: unreachable or a partial poll),
 * `polledAt` (every row kept its ifIndex, name, statuses and down time; only counters and the poll time
 * moved on, to this time — the steady state), or `rewritten` (anything else).
 */
export type PollPorts = { kind: "untouched" } | { kind: "polledAt"; at: number } | { kind: "rewritten" };

/** The aggregate key of a fleet-wide, site or tag scope; undefined for a single device. */
export function scopeKey(scope: Scope | undefined): string | undefined {
  if (!scope) return "*";
  if ("site" in scope) return `s:${scope.site}`;
  if ("tag" in scope) return `t:${scope.tag}`;
  return undefined;
}

export function createScopeAggregates(db: Db): ScopeAggregates {
  // A device removed from the config (migration 100) is in no scope: its ports leave every aggregate.
  const scopesOf = db
    .prepare<[string], string>(
      `SELECT s.scope FROM device_scope s JOIN device_state d ON d.name = s.device
       WHERE s.device = ? AND d.removed_at IS NULL`,
    )
    .pluck();
  const downOf = db
    .prepare<[string], number>(
      "SELECT count(*) FROM interface_state INDEXED BY interface_down_device WHERE device = ? AND oper_down = 1",
    )
    .pluck();
  const deviceRow = db.prepare<[string], { last_ok_at: number | null; poll_interval_ms: number }>(
    "SELECT last_ok_at, poll_interval_ms FROM device_state WHERE name = ?",
  );
  const deleteMembers = db.prepare("DELETE FROM scope_member WHERE device = ?");
  // The interval is a condition, not a column set: SQLite rewrites every index holding a column named
  // in SET, changed or not, and a poll never changes the interval (a registration that does rebuilds).
  const updateMembers = db.prepare(
    "UPDATE scope_member SET last_ok_at = ?, stale_after = ? WHERE device = ? AND interval_ms = ?",
  );
  const insertMember = db.prepare(
    "INSERT INTO scope_member (scope, device, last_ok_at, stale_after, interval_ms) VALUES (?, ?, ?, ?, ?)",
  );
  const deletePorts = db.prepare("DELETE FROM scope_port_down WHERE device = ?");
  const insertPorts = db.prepare(`
    INSERT INTO scope_port_down (scope, device, if_index, down_since, polled_at)
    SELECT ?, device, if_index, down_since, polled_at FROM interface_state INDEXED BY interface_down_device
    WHERE device = ? AND oper_down = 1`);
  // A steady poll moves only the poll time of the same down ports: one column and one index, not the
  // rows deleted and re-inserted through three indexes.
  const movePorts = db.prepare("UPDATE scope_port_down SET polled_at = ? WHERE device = ?");
  const bump = db.prepare(`
    INSERT INTO scope_down_count (scope, ports, devices) VALUES (?, ?, ?)
    ON CONFLICT(scope) DO UPDATE SET ports = ports + excluded.ports, devices = devices + excluded.devices`);

  return {
    track(device, change, poll) {
      const scopesBefore = scopesOf.all(device);
      const downBefore = downOf.get(device) ?? 0;
      const result = change();
      const ports = poll?.() ?? { kind: "rewritten" };
      // A poll writes no site, tag or removal: its scopes are the ones read before.
      const scopes = poll ? scopesBefore : scopesOf.all(device);
      const down = ports.kind === "rewritten" ? (downOf.get(device) ?? 0) : downBefore;

      const delta = new Map<string, [ports: number, devices: number]>();
      const add = (scope: string, ports: number, devices: number) => {
        const d = delta.get(scope) ?? [0, 0];
        delta.set(scope, [d[0] + ports, d[1] + devices]);
      };
      for (const s of scopesBefore) add(s, -downBefore, downBefore > 0 ? -1 : 0);
      for (const s of scopes) add(s, down, down > 0 ? 1 : 0);
      for (const [s, [ports, devices]] of delta)
        if (ports !== 0 || devices !== 0) bump.run(s, ports, devices);

      const d = deviceRow.get(device);
      // Down ports are copied per scope with their poll time: rewritten when there are any, before or
      // now, unless the poll left them as they were (untouched) or moved only their poll time.
      const portsKept = ports.kind !== "rewritten" && d !== undefined;
      if (portsKept && ports.kind === "polledAt" && down > 0) movePorts.run(ports.at, device);
      if (!portsKept && (downBefore > 0 || down > 0)) deletePorts.run(device);
      if (!d) {
        deleteMembers.run(device);
        return result;
      }
      const staleAfter =
        d.last_ok_at === null ? 0 : d.last_ok_at + STALE_AFTER_INTERVALS * d.poll_interval_ms;
      // Same scopes as before (every poll): the member rows are updated in place, not deleted and
      // re-inserted through five indexes; a short count (a row missing) rebuilds them.
      const same = sameScopes(scopesBefore, scopes);
      if (
        !same ||
        updateMembers.run(d.last_ok_at, staleAfter, device, d.poll_interval_ms).changes !== scopes.length
      ) {
        deleteMembers.run(device);
        for (const s of scopes) insertMember.run(s, device, d.last_ok_at, staleAfter, d.poll_interval_ms);
      }
      if (!portsKept && down > 0) for (const s of scopes) insertPorts.run(s, device);
      return result;
    },
  };
}

function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((s) => set.has(s)) && set.size === a.length;
}
