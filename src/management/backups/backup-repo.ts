import type { Store } from "../../store/store.js";
import type { BackupState, BackupVersion, BackupVersionInfo } from "./types.js";

type Row = Record<string, unknown>;

/** Change-log kinds written by backups (the table belongs to the management migration). */
export type BackupChangeKind = "backup" | "backup_changed";

export interface BackupRepo {
  /** Newest first; `back` 0 is the current version. */
  list(device: string): BackupVersionInfo[];
  /** The version `back` steps before the newest (0 = newest), with content. */
  get(device: string, back: number): BackupVersion | undefined;
  insert(device: string, v: Omit<BackupVersion, "id" | "back" | "device">): number;
  /** Deletes all but the newest `keep` versions; returns how many went. */
  prune(device: string, keep: number): number;
  state(device: string): BackupState | undefined;
  putState(s: BackupState): void;
  logChange(c: {
    at: number;
    device: string;
    kind: BackupChangeKind;
    old: string | null;
    new: string | null;
    detail: Record<string, unknown>;
  }): number;
}

export function createBackupRepo(store: Store): BackupRepo {
  const db = store.db;
  const infoOf = (r: Row, back: number): BackupVersionInfo => ({
    id: Number(r.id),
    device: String(r.device),
    back,
    takenAt: Number(r.taken_at),
    sha256: String(r.sha256),
    sizeBytes: Number(r.size_bytes),
    lines: Number(r.line_count),
  });
  const listStmt = db.prepare(
    "SELECT id, device, taken_at, sha256, size_bytes, line_count FROM backup_version WHERE device = ? ORDER BY id DESC",
  );
  const getStmt = db.prepare(
    "SELECT * FROM backup_version WHERE device = ? ORDER BY id DESC LIMIT 1 OFFSET ?",
  );
  const insertStmt = db.prepare(
    "INSERT INTO backup_version (device, taken_at, sha256, size_bytes, line_count, content) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const pruneStmt = db.prepare(
    `DELETE FROM backup_version WHERE device = ? AND id NOT IN
       (SELECT id FROM backup_version WHERE device = ? ORDER BY id DESC LIMIT ?)`,
  );
  const stateStmt = db.prepare("SELECT * FROM backup_state WHERE device = ?");
  const putStateStmt = db.prepare(
    `INSERT INTO backup_state (device, status, last_attempt_at, last_success_at, last_changed_at, last_error, consecutive_failures)
     VALUES (@device, @status, @lastAttemptAt, @lastSuccessAt, @lastChangedAt, @lastError, @consecutiveFailures)
     ON CONFLICT(device) DO UPDATE SET status = excluded.status, last_attempt_at = excluded.last_attempt_at,
       last_success_at = excluded.last_success_at, last_changed_at = excluded.last_changed_at,
       last_error = excluded.last_error, consecutive_failures = excluded.consecutive_failures`,
  );
  const changeStmt = db.prepare(
    "INSERT INTO change_log (at, device, kind, object_key, old, new, detail) VALUES (?, ?, ?, '', ?, ?, ?)",
  );
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

  return {
    list: (device) => (listStmt.all(device) as Row[]).map((r, i) => infoOf(r, i)),
    get(device, back) {
      const r = getStmt.get(device, back) as Row | undefined;
      return r ? { ...infoOf(r, back), content: String(r.content) } : undefined;
    },
    insert(device, v) {
      return Number(
        insertStmt.run(device, v.takenAt, v.sha256, v.sizeBytes, v.lines, v.content).lastInsertRowid,
      );
    },
    prune: (device, keep) => pruneStmt.run(device, device, keep).changes,
    state(device) {
      const r = stateStmt.get(device) as Row | undefined;
      if (!r) return undefined;
      return {
        device: String(r.device),
        status: r.status as BackupState["status"],
        lastAttemptAt: Number(r.last_attempt_at),
        lastSuccessAt: num(r.last_success_at),
        lastChangedAt: num(r.last_changed_at),
        lastError: r.last_error === null ? null : String(r.last_error),
        consecutiveFailures: Number(r.consecutive_failures),
      };
    },
    putState: (s) => putStateStmt.run(s),
    logChange: (c) =>
      Number(changeStmt.run(c.at, c.device, c.kind, c.old, c.new, JSON.stringify(c.detail)).lastInsertRowid),
  };
}
