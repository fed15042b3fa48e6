import type { Migration } from "./migration.js";

/**
 * The device cache (current state, rebuilt by the next poll) and the append-only change log.
 *
 * Times are ms since the epoch. Octet counters are stored as decimal TEXT: Counter64 values reach
 * 2^64-1, beyond SQLite's signed 64-bit INTEGER, and must round-trip exactly for rates; they are only
 * ever read back for the next rate, never compared in SQL.
 *
 * Queries these indexes serve (src/management/fleet-queries.ts):
 * - links <device>: interface_state primary key (device, if_index).
 * - links down [tag|site]: two partial indexes hold only the admin-up/oper-down ports (a few percent
 *   of all ports). interface_down is in answer order (most recently down first) for the fleet-wide
 *   list; interface_down_device is by device for a tag's or site's devices (device_tag (tag, device),
 *   device_state_site) and for counting down ports per device. Both cover polled_at and the key, so
 *   counts and "oldest data" never touch the table.
 * - drives failing: drive_attention holds only drives not ok.
 * - change log consumers (the alert engine) read `WHERE id > ? ORDER BY id`; per-device history uses
 *   change_log_device.
 */
export const managementMigration: Migration = {
  id: 2,
  name: "management: device cache and change log",
  sql: `
    CREATE TABLE device_state (
      name                 TEXT PRIMARY KEY,      -- device name from opsbot.yaml
      host                 TEXT NOT NULL,
      site                 TEXT,
      poll_interval_ms     INTEGER NOT NULL,      -- from its schedule; data older than twice this is stale
      last_polled_at       INTEGER,               -- last poll finished, reachable or not
      last_ok_at           INTEGER,               -- last poll that reached the device: the age of the data
      last_error           TEXT,                  -- null after a clean poll; also set on partial failure
      consecutive_failures INTEGER NOT NULL DEFAULT 0,
      reachable            INTEGER,               -- 1 | 0; null until the first poll
      sys_descr            TEXT,
      sys_object_id        TEXT,
      sys_name             TEXT,
      uptime_cs            INTEGER,               -- sysUpTime (hundredths) at system_at
      system_at            INTEGER,
      model                TEXT,                  -- ENTITY-MIB chassis, or parsed from sysDescr
      serial               TEXT,
      hardware_rev         TEXT,
      firmware_rev         TEXT,
      software_rev         TEXT,
      version_source       TEXT,                  -- entity-mib | sysdescr
      entity_at            INTEGER
    );
    CREATE INDEX device_state_site ON device_state(site);

    CREATE TABLE device_tag (
      tag    TEXT NOT NULL,
      device TEXT NOT NULL REFERENCES device_state(name) ON DELETE CASCADE,
      PRIMARY KEY (tag, device)
    ) WITHOUT ROWID;
    CREATE INDEX device_tag_device ON device_tag(device);

    CREATE TABLE interface_state (
      device          TEXT NOT NULL REFERENCES device_state(name) ON DELETE CASCADE,
      if_index        INTEGER NOT NULL,
      name            TEXT NOT NULL,
      descr           TEXT NOT NULL,
      alias           TEXT NOT NULL,
      admin_status    TEXT NOT NULL,
      oper_status     TEXT NOT NULL,
      last_change_cs  INTEGER NOT NULL,
      down_since      INTEGER,                    -- oper not up since (from ifLastChange and sysUpTime)
      speed_mbps      INTEGER NOT NULL,
      in_errors       INTEGER NOT NULL,
      out_errors      INTEGER NOT NULL,
      in_discards     INTEGER NOT NULL,
      out_discards    INTEGER NOT NULL,
      in_octets       TEXT NOT NULL,              -- exact decimal, see above
      out_octets      TEXT NOT NULL,
      counter_bits    INTEGER NOT NULL,           -- 32 | 64
      sample_uptime_cs INTEGER,                   -- sysUpTime when the counters were read (reset detection)
      in_bps          REAL,                       -- null: first sample, counter reset or ambiguous wrap
      out_bps         REAL,
      polled_at       INTEGER NOT NULL,
      -- 1 when admin up and oper down|lowerLayerDown|notPresent (isPortDown). A plain column, not a
      -- generated one: SQLite will not answer from a covering index that involves a generated column.
      oper_down       INTEGER NOT NULL,
      PRIMARY KEY (device, if_index)
    ) WITHOUT ROWID;
    CREATE INDEX interface_down ON interface_state(down_since DESC, polled_at) WHERE oper_down = 1;
    CREATE INDEX interface_down_device ON interface_state(device, polled_at) WHERE oper_down = 1;

    CREATE TABLE drive_state (
      device          TEXT NOT NULL REFERENCES device_state(name) ON DELETE CASCADE,
      key             TEXT NOT NULL,              -- stable per device: "idrac:1", "smart:/dev/sda"
      name            TEXT NOT NULL,
      source          TEXT NOT NULL,              -- host-resources | idrac | hpe | synology | netapp | smart | …
      kind            TEXT NOT NULL,              -- disk | array
      status          TEXT NOT NULL,              -- ok | warning | failed | unknown
      raw_status      TEXT NOT NULL,              -- the vendor's value, verbatim
      model           TEXT,
      serial          TEXT,
      capacity_bytes  INTEGER,
      detail          TEXT,                       -- JSON object
      status_since    INTEGER NOT NULL,           -- first poll that saw the current status
      polled_at       INTEGER NOT NULL,
      PRIMARY KEY (device, key)
    ) WITHOUT ROWID;
    CREATE INDEX drive_attention ON drive_state(status, device) WHERE status <> 'ok';

    CREATE TABLE storage_state (
      device      TEXT NOT NULL REFERENCES device_state(name) ON DELETE CASCADE,
      idx         INTEGER NOT NULL,               -- hrStorageIndex
      descr       TEXT NOT NULL,
      type        TEXT NOT NULL,
      size_bytes  INTEGER NOT NULL,
      used_bytes  INTEGER NOT NULL,
      polled_at   INTEGER NOT NULL,
      PRIMARY KEY (device, idx)
    ) WITHOUT ROWID;

    -- Append-only. AUTOINCREMENT so an id is never reused, even after old rows are pruned: consumers
    -- keep "last id seen" as their cursor. No foreign key: history outlives a device's removal.
    CREATE TABLE change_log (
      id          INTEGER PRIMARY KEY AUTOINCREMENT,
      at          INTEGER NOT NULL,
      device      TEXT NOT NULL,
      kind        TEXT NOT NULL,                  -- port_oper | drive_status | drive_removed | firmware |
                                                  -- software | reachability | reboot
      object_key  TEXT NOT NULL,                  -- port name, drive key, '' for the device itself
      old         TEXT,                           -- null: first sight of the object
      new         TEXT,
      detail      TEXT                            -- JSON object
    );
    CREATE INDEX change_log_device ON change_log(device, id);
  `,
};
