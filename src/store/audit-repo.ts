import type { Store } from "./store.js";

export type AuditOutcome = "ok" | "user_error" | "denied" | "unknown_command" | "error";

export interface AuditEntry {
  at: number;
  userId: string;
  userName: string;
  channel: string;
  transport: string;
  kind: "command" | "action";
  /** Already redacted by the caller. */
  text: string;
  command?: string;
  outcome: AuditOutcome;
  detail?: string;
}

export interface AuditRow extends AuditEntry {
  id: number;
}

export interface AuditRepo {
  record(entry: AuditEntry): number;
  recent(limit: number, filter?: { userId?: string }): AuditRow[];
}

/** Audit rows are committed durably (synchronous=FULL): a decision must not vanish in a power cut. */
export function createAuditRepo(store: Store): AuditRepo {
  const insert = store.db.prepare(
    `INSERT INTO audit (at, user_id, user_name, channel, transport, kind, text, command, outcome, detail)
     VALUES (@at, @userId, @userName, @channel, @transport, @kind, @text, @command, @outcome, @detail)`,
  );
  const select = store.db.prepare(
    `SELECT id, at, user_id AS userId, user_name AS userName, channel, transport, kind, text, command, outcome, detail
     FROM audit WHERE (@userId IS NULL OR user_id = @userId) ORDER BY id DESC LIMIT @limit`,
  );
  return {
    record: (entry) =>
      Number(store.durable(() => insert.run({ command: null, detail: null, ...entry }).lastInsertRowid)),
    recent: (limit, filter = {}) => select.all({ limit, userId: filter.userId ?? null }) as AuditRow[],
  };
}
