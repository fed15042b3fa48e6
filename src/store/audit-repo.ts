import type { Store } from "./store.js";

export type AuditOutcome = "ok" | "user_error" | "denied" | "unknown_command" | "error";

export const AUDIT_OUTCOMES: readonly AuditOutcome[] = [
  "ok",
  "user_error",
  "denied",
  "unknown_command",
  "error",
];

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
  /** The operating-system user who acted as `userId` (console `as`, `ask --as`). */
  actingFor?: string;
  /** The run the row is about, when there is one. */
  runId?: number;
}

export interface AuditRow extends AuditEntry {
  id: number;
}

/** Every field narrows; absent fields match anything. Times are ms since the epoch, `until` exclusive. */
export interface AuditFilter {
  /** A user id or name. */
  user?: string;
  command?: string;
  outcome?: AuditOutcome;
  runId?: number;
  channel?: string;
  since?: number;
  until?: number;
}

export interface AuditRepo {
  record(entry: AuditEntry): number;
  recent(limit: number, filter?: AuditFilter): AuditRow[];
  /** Oldest first, in pages, for exports of any size. */
  each(filter: AuditFilter, visit: (row: AuditRow) => void): number;
}

const WHERE = `(@user IS NULL OR user_id = @user OR lower(user_name) = lower(@user))
  AND (@command IS NULL OR command = @command)
  AND (@outcome IS NULL OR outcome = @outcome)
  AND (@runId IS NULL OR run_id = @runId)
  AND (@channel IS NULL OR channel = @channel OR channel = '#' || @channel)
  AND (@since IS NULL OR at >= @since)
  AND (@until IS NULL OR at < @until)`;

const COLUMNS = `id, at, user_id AS userId, user_name AS userName, channel, transport, kind, text, command,
  outcome, detail, acting_for AS actingFor, run_id AS runId`;

/** Audit rows are committed durably (synchronous=FULL): a decision must not vanish in a power cut. */
export function createAuditRepo(store: Store): AuditRepo {
  const insert = store.db.prepare(
    `INSERT INTO audit (at, user_id, user_name, channel, transport, kind, text, command, outcome, detail,
       acting_for, run_id)
     VALUES (@at, @userId, @userName, @channel, @transport, @kind, @text, @command, @outcome, @detail,
       @actingFor, @runId)`,
  );
  const select = store.db.prepare(
    `SELECT ${COLUMNS} FROM audit WHERE ${WHERE} ORDER BY id DESC LIMIT @limit`,
  );
  const page = store.db.prepare(
    `SELECT ${COLUMNS} FROM audit WHERE ${WHERE} AND id > @after ORDER BY id LIMIT 500`,
  );
  const params = (f: AuditFilter) => ({
    user: f.user ?? null,
    command: f.command ?? null,
    outcome: f.outcome ?? null,
    runId: f.runId ?? null,
    channel: f.channel ?? null,
    since: f.since ?? null,
    until: f.until ?? null,
  });
  const clean = (r: Record<string, unknown>): AuditRow => {
    const row = { ...r } as Record<string, unknown>;
    for (const k of ["command", "detail", "actingFor", "runId"]) if (row[k] === null) delete row[k];
    return row as unknown as AuditRow;
  };
  return {
    record: (entry) =>
      Number(
        store.durable(
          () =>
            insert.run({ command: null, detail: null, actingFor: null, runId: null, ...entry })
              .lastInsertRowid,
        ),
      ),
    recent: (limit, filter = {}) =>
      (select.all({ limit, ...params(filter) }) as Record<string, unknown>[]).map(clean),
    each(filter, visit) {
      let after = 0;
      let count = 0;
      for (;;) {
        const rows = page.all({ after, ...params(filter) }) as Record<string, unknown>[];
        for (const r of rows) visit(clean(r));
        count += rows.length;
        if (rows.length < 500) return count;
        after = rows[rows.length - 1]!.id as number;
      }
    },
  };
}
