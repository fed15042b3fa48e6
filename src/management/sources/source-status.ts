import type { Store } from "../../store/store.js";

/** The last cycle of each fleet data source, as `fleet` and /readyz show it. */
export interface SourceStatus {
  name: string;
  ok: boolean;
  error: string | null;
  checkedAt: number;
  lastOkAt: number | null;
  devices: number;
}

export function recordSourceStatus(
  store: Store,
  s: { name: string; ok: boolean; error: string | null; at: number; devices: number },
): void {
  store.tx(() =>
    store.db
      .prepare(
        `INSERT INTO fleet_source_status (name, ok, error, checked_at, last_ok_at, devices)
         VALUES (@name, @ok, @error, @at, CASE WHEN @ok = 1 THEN @at END, @devices)
         ON CONFLICT(name) DO UPDATE SET ok = excluded.ok, error = excluded.error,
           checked_at = excluded.checked_at, devices = CASE WHEN excluded.ok = 1 THEN excluded.devices ELSE devices END,
           last_ok_at = CASE WHEN excluded.ok = 1 THEN excluded.checked_at ELSE last_ok_at END`,
      )
      .run({ ...s, ok: s.ok ? 1 : 0 }),
  );
}

export function readSourceStatus(store: Store): SourceStatus[] {
  const rows = store.db.prepare("SELECT * FROM fleet_source_status ORDER BY name").all() as Array<
    Record<string, unknown>
  >;
  return rows.map((r) => ({
    name: String(r.name),
    ok: r.ok === 1,
    error: r.error === null ? null : String(r.error),
    checkedAt: Number(r.checked_at),
    lastOkAt: r.last_ok_at === null ? null : Number(r.last_ok_at),
    devices: Number(r.devices),
  }));
}
