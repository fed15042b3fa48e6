import type { CandidateDevice } from "../../config/profiles.js";
import type { Store } from "../../store/store.js";
import type { SourceState } from "./types.js";

/** The inventory tables: each source's last good list and the device names last applied. */
export interface SnapshotRepo {
  sources(): SourceState[];
  /** A successful fetch: the new list replaces the kept one. */
  saveSuccess(state: {
    source: string;
    location: string;
    devices: CandidateDevice[];
    skipped: string[];
    at: number;
  }): void;
  /** A failed fetch: the kept list stays, the error is recorded. */
  saveFailure(state: { source: string; location: string; error: string; at: number }): void;
  /** Device name → source, as last applied. */
  applied(): Map<string, string>;
  replaceApplied(devices: { name: string; source: string }[]): void;
  tx<T>(fn: () => T): T;
}

type Row = Record<string, unknown>;

export function createSnapshotRepo(store: Store): SnapshotRepo {
  const db = store.db;
  const selectSources = db.prepare("SELECT * FROM inventory_source ORDER BY source");
  const upsertSuccess = db.prepare(`
    INSERT INTO inventory_source (source, location, devices, skipped, fetched_at, attempted_at, error)
    VALUES (@source, @location, @devices, @skipped, @at, @at, NULL)
    ON CONFLICT(source) DO UPDATE SET location = excluded.location, devices = excluded.devices,
      skipped = excluded.skipped, fetched_at = excluded.fetched_at, attempted_at = excluded.attempted_at, error = NULL`);
  const upsertFailure = db.prepare(`
    INSERT INTO inventory_source (source, location, attempted_at, error) VALUES (@source, @location, @at, @error)
    ON CONFLICT(source) DO UPDATE SET location = excluded.location, attempted_at = excluded.attempted_at,
      error = excluded.error`);
  const selectApplied = db.prepare("SELECT name, source FROM inventory_applied");
  const clearApplied = db.prepare("DELETE FROM inventory_applied");
  const insertApplied = db.prepare("INSERT INTO inventory_applied (name, source) VALUES (?, ?)");

  return {
    sources: () =>
      (selectSources.all() as Row[]).map((r) => ({
        source: String(r.source),
        location: String(r.location),
        devices: JSON.parse(String(r.devices)) as CandidateDevice[],
        skipped: JSON.parse(String(r.skipped)) as string[],
        fetchedAt: r.fetched_at === null ? null : Number(r.fetched_at),
        attemptedAt: r.attempted_at === null ? null : Number(r.attempted_at),
        error: r.error === null ? null : String(r.error),
      })),
    saveSuccess: (s) =>
      upsertSuccess.run({
        source: s.source,
        location: s.location,
        devices: JSON.stringify(s.devices),
        skipped: JSON.stringify(s.skipped),
        at: s.at,
      }),
    saveFailure: (s) => upsertFailure.run(s),
    applied: () => new Map((selectApplied.all() as Row[]).map((r) => [String(r.name), String(r.source)])),
    replaceApplied(devices) {
      clearApplied.run();
      for (const d of devices) insertApplied.run(d.name, d.source);
    },
    tx: (fn) => store.tx(fn),
  };
}
