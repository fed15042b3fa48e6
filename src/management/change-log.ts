import type { Store } from "../store/store.js";
import type { ChangeKind, LoggedChange } from "./state-rows.js";

export interface ChangeQuery {
  /** Return changes with an id greater than this (the consumer's cursor); 0 = from the start. */
  afterId?: number;
  device?: string;
  kinds?: ChangeKind[];
  limit?: number;
}

/**
 * Reads the append-only change log in id order. The alert engine keeps the last id it processed and
 * asks for what came after; ids only grow, so nothing is missed or seen twice.
 */
export function readChanges(store: Store, q: ChangeQuery = {}): LoggedChange[] {
  const where = ["id > ?"];
  const params: unknown[] = [q.afterId ?? 0];
  if (q.device !== undefined) {
    where.push("device = ?");
    params.push(q.device);
  }
  if (q.kinds && q.kinds.length > 0) {
    where.push(`kind IN (${q.kinds.map(() => "?").join(", ")})`);
    params.push(...q.kinds);
  }
  params.push(q.limit ?? 1000);
  const rows = store.db
    .prepare(`SELECT * FROM change_log WHERE ${where.join(" AND ")} ORDER BY id LIMIT ?`)
    .all(...params) as Record<string, unknown>[];
  return rows.map(changeFromRow);
}

/** The newest changes of one device, newest first. */
export function recentChanges(store: Store, device: string, limit: number): LoggedChange[] {
  const rows = store.db
    .prepare("SELECT * FROM change_log WHERE device = ? ORDER BY id DESC LIMIT ?")
    .all(device, limit) as Record<string, unknown>[];
  return rows.map(changeFromRow);
}

function changeFromRow(r: Record<string, unknown>): LoggedChange {
  return {
    id: Number(r.id),
    at: Number(r.at),
    device: String(r.device),
    kind: r.kind as ChangeKind,
    objectKey: String(r.object_key),
    old: r.old === null ? null : String(r.old),
    new: r.new === null ? null : String(r.new),
    ...(typeof r.detail === "string" ? { detail: JSON.parse(r.detail) as Record<string, unknown> } : {}),
  };
}
