import type { Migration } from "./migration.js";

/**
 * Per-scope aggregates of the device cache, maintained on write in each poll's transaction
 * (src/management/scope-aggregates.ts), so `links down [tag|site]` and the data-age of a list answer
 * cost the same at 50 devices and at 50,000. A scope key is `*` (the whole fleet), `s:<site>` or
 * `t:<tag>`; device_scope lists every device's scopes.
 *
 * - scope_member: one row per (scope, device) with what a scope's data-age needs. stale_after is
 *   last_ok_at + 2 × the poll interval (STALE_AFTER_INTERVALS), 0 for a device never reached, so
 *   "stale now" is one index range (stale_after < now).
 * - scope_port_down: one row per (scope, admin-up/oper-down port): the first 100 of a scope are an
 *   index range in answer order (most recently down first), and the oldest polled_at one index seek.
 * - scope_down_count: down ports and devices with a down port per scope, updated by delta.
 *
 * interface_down (the fleet-wide answer order) is replaced by scope `*`. Case-insensitive indexes let a
 * scope word be resolved without scanning the fleet.
 */
export const scopeAggregatesMigration: Migration = {
  id: 160,
  name: "management: per-scope aggregates maintained on write",
  sql: `
    CREATE VIEW device_scope (device, scope) AS
      SELECT name, '*' FROM device_state
      UNION ALL SELECT name, 's:' || site FROM device_state WHERE site IS NOT NULL
      UNION ALL SELECT device, 't:' || tag FROM device_tag;

    CREATE TABLE scope_member (
      scope        TEXT NOT NULL,
      device       TEXT NOT NULL,
      last_ok_at   INTEGER,
      stale_after  INTEGER NOT NULL,
      interval_ms  INTEGER NOT NULL,
      PRIMARY KEY (scope, device)
    ) WITHOUT ROWID;
    CREATE INDEX scope_member_device ON scope_member(device);
    CREATE INDEX scope_member_oldest ON scope_member(scope, last_ok_at);
    CREATE INDEX scope_member_stale ON scope_member(scope, stale_after);
    CREATE INDEX scope_member_interval ON scope_member(scope, interval_ms);

    CREATE TABLE scope_port_down (
      scope       TEXT NOT NULL,
      device      TEXT NOT NULL,
      if_index    INTEGER NOT NULL,
      down_since  INTEGER,
      polled_at   INTEGER NOT NULL
    );
    CREATE INDEX scope_port_down_order ON scope_port_down(scope, down_since DESC, device, if_index);
    CREATE INDEX scope_port_down_oldest ON scope_port_down(scope, polled_at);
    CREATE INDEX scope_port_down_device ON scope_port_down(device);

    CREATE TABLE scope_down_count (
      scope    TEXT PRIMARY KEY,
      ports    INTEGER NOT NULL,
      devices  INTEGER NOT NULL
    ) WITHOUT ROWID;

    INSERT INTO scope_member (scope, device, last_ok_at, stale_after, interval_ms)
      SELECT s.scope, d.name, d.last_ok_at, coalesce(d.last_ok_at + 2 * d.poll_interval_ms, 0), d.poll_interval_ms
      FROM device_scope s JOIN device_state d ON d.name = s.device;
    INSERT INTO scope_port_down (scope, device, if_index, down_since, polled_at)
      SELECT s.scope, i.device, i.if_index, i.down_since, i.polled_at
      FROM interface_state i JOIN device_scope s ON s.device = i.device WHERE i.oper_down = 1;
    INSERT INTO scope_down_count (scope, ports, devices)
      SELECT scope, count(*), count(DISTINCT device) FROM scope_port_down GROUP BY scope;

    DROP INDEX interface_down;

    -- Scope words are matched case-insensitively (fleet-queries.ts resolveScope): without these, every
    -- "links down <site>" scanned all devices and tags to find out what the word names.
    CREATE INDEX device_state_name_nocase ON device_state(name COLLATE NOCASE);
    CREATE INDEX device_state_site_nocase ON device_state(site COLLATE NOCASE);
    CREATE INDEX device_tag_tag_nocase ON device_tag(tag COLLATE NOCASE);
  `,
};
