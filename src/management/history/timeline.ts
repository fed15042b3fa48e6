import type { Store } from "../../store/store.js";
import type { Scope } from "../fleet-query-types.js";
import { scopeSql } from "../fleet-sql.js";
import type { ChangeKind } from "../state-rows.js";

/** One change-log row for the timeline, with when the same object last changed before it. */
export interface TimelineEntry {
  id: number;
  at: number;
  device: string;
  kind: ChangeKind | string;
  objectKey: string;
  old: string | null;
  new: string | null;
  detail: Record<string, unknown> | null;
  /** The previous change of the same kind and object (how long it was in the old state). */
  previousAt: number | null;
}

export interface TimelinePage {
  entries: TimelineEntry[];
  /** Rows in the window, all pages together. */
  total: number;
}

export interface FlapRow {
  device: string;
  port: string;
  changes: number;
  downs: number;
  lastAt: number;
  /** The port's state now (null: the port is gone from the cache). */
  operStatus: string | null;
  alias: string | null;
}

type Row = Record<string, unknown>;

const parseDetail = (v: unknown): Record<string, unknown> | null => {
  if (typeof v !== "string") return null;
  try {
    return JSON.parse(v) as Record<string, unknown>;
  } catch {
    return null;
  }
};

/**
 * Reads the change log as a timeline (newest first, paged) and as a flap ranking. Read-only; the
 * poller is the log's only writer.
 */
export function createTimeline(store: Store) {
  const db = store.db;
  return {
    page(scope: Scope, since: number, page: number, pageSize: number): TimelinePage {
      const s = scopeSql(scope, "c.device");
      const where = `${s.sql} AND c.at >= ?`;
      const total = db
        .prepare(`SELECT count(*) FROM change_log c WHERE ${where}`)
        .pluck()
        .get(...s.params, since) as number;
      const rows = db
        .prepare(
          `SELECT c.*, (SELECT p.at FROM change_log p WHERE p.device = c.device AND p.kind = c.kind
             AND p.object_key = c.object_key AND p.id < c.id ORDER BY p.id DESC LIMIT 1) AS previous_at
           FROM change_log c WHERE ${where} ORDER BY c.id DESC LIMIT ? OFFSET ?`,
        )
        .all(...s.params, since, pageSize, (page - 1) * pageSize) as Row[];
      return {
        total,
        entries: rows.map((r) => ({
          id: Number(r.id),
          at: Number(r.at),
          device: String(r.device),
          kind: String(r.kind),
          objectKey: String(r.object_key),
          old: r.old === null ? null : String(r.old),
          new: r.new === null ? null : String(r.new),
          detail: parseDetail(r.detail),
          previousAt: r.previous_at === null ? null : Number(r.previous_at),
        })),
      };
    },

    /** Ports with the most state changes since `since`, fleet-wide (or in a scope). */
    flaps(since: number, limit: number, scope?: Scope): FlapRow[] {
      const s = scopeSql(scope, "c.device");
      const rows = db
        .prepare(
          `SELECT c.device, c.object_key, count(*) AS changes,
             sum(CASE WHEN c.new <> 'up' THEN 1 ELSE 0 END) AS downs, max(c.at) AS last_at,
             i.oper_status, i.alias
           FROM change_log c
           LEFT JOIN interface_state i ON i.device = c.device AND i.name = c.object_key
           WHERE c.kind = 'port_oper' AND c.at >= ? AND ${s.sql}
           GROUP BY c.device, c.object_key
           ORDER BY changes DESC, last_at DESC LIMIT ?`,
        )
        .all(since, ...s.params, limit) as Row[];
      return rows.map((r) => ({
        device: String(r.device),
        port: String(r.object_key),
        changes: Number(r.changes),
        downs: Number(r.downs),
        lastAt: Number(r.last_at),
        operStatus: r.oper_status === null ? null : String(r.oper_status),
        alias: r.alias === null ? null : String(r.alias),
      }));
    },
  };
}

export type Timeline = ReturnType<typeof createTimeline>;
