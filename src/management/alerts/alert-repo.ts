import type { Store } from "../../store/store.js";
import type { Alert, AlertStatus, RuleName, Severity } from "./types.js";

export interface AlertGroup {
  id: number;
  device: string;
  rule: RuleName;
  channel: string;
  ts: string | null;
  openedAt: number;
  closedAt: number | null;
}

export interface Silence {
  id: number;
  /** device_rule: one rule on one device, target "DEVICE:RULE" (the alert message's Silence button). */
  targetKind: "device" | "tag" | "rule" | "device_rule";
  target: string;
  reason: string;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
}

type Row = Record<string, unknown>;
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

function alertFromRow(r: Row): Alert {
  return {
    id: Number(r.id),
    key: String(r.key),
    device: String(r.device),
    rule: r.rule as RuleName,
    object: String(r.object),
    severity: r.severity as Severity,
    status: r.status as AlertStatus,
    condition: r.condition as "bad" | "ok",
    value: String(r.value),
    since: Number(r.since),
    firedAt: num(r.fired_at),
    resolvedAt: num(r.resolved_at),
    notified: Number(r.notified) === 1,
    lastNotifiedAt: num(r.last_notified_at),
    transitions: JSON.parse(String(r.transitions)) as number[],
    ackedBy: str(r.acked_by),
    ackedAt: num(r.acked_at),
    ackedSeverity: str(r.acked_severity) as Severity | null,
    suppressed: str(r.suppressed),
    groupId: num(r.group_id),
    detail: JSON.parse(String(r.detail)) as Record<string, unknown>,
  };
}

const groupFromRow = (r: Row): AlertGroup => ({
  id: Number(r.id),
  device: String(r.device),
  rule: r.rule as RuleName,
  channel: String(r.channel),
  ts: str(r.ts),
  openedAt: Number(r.opened_at),
  closedAt: num(r.closed_at),
});

const silenceFromRow = (r: Row): Silence => ({
  id: Number(r.id),
  targetKind: r.target_kind as Silence["targetKind"],
  target: String(r.target),
  reason: String(r.reason),
  createdBy: String(r.created_by),
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
});

export type AlertRepo = ReturnType<typeof createAlertRepo>;

/** Every SQL statement of the alert engine. Callers decide the transactions (store.tx). */
export function createAlertRepo(store: Store) {
  const db = store.db;
  const s = {
    cursor: db.prepare("SELECT last_id FROM alert_cursor WHERE consumer = ?"),
    setCursor: db.prepare(
      "INSERT INTO alert_cursor (consumer, last_id) VALUES (?, ?) ON CONFLICT(consumer) DO UPDATE SET last_id = excluded.last_id",
    ),
    active: db.prepare("SELECT * FROM alert WHERE status <> 'resolved' ORDER BY id"),
    byKey: db.prepare("SELECT * FROM alert WHERE key = ?"),
    byId: db.prepare("SELECT * FROM alert WHERE id = ?"),
    upsert: db.prepare(`
      INSERT INTO alert (key, device, rule, object, severity, status, condition, value, since, fired_at,
        resolved_at, notified, last_notified_at, transitions, acked_by, acked_at, acked_severity, suppressed,
        group_id, detail)
      VALUES (@key, @device, @rule, @object, @severity, @status, @condition, @value, @since, @firedAt,
        @resolvedAt, @notified, @lastNotifiedAt, @transitions, @ackedBy, @ackedAt, @ackedSeverity, @suppressed,
        @groupId, @detail)
      ON CONFLICT(key) DO UPDATE SET severity = excluded.severity, status = excluded.status,
        condition = excluded.condition, value = excluded.value, since = excluded.since,
        fired_at = excluded.fired_at, resolved_at = excluded.resolved_at, notified = excluded.notified,
        last_notified_at = excluded.last_notified_at, transitions = excluded.transitions,
        acked_by = excluded.acked_by, acked_at = excluded.acked_at, acked_severity = excluded.acked_severity,
        suppressed = excluded.suppressed, group_id = excluded.group_id, detail = excluded.detail
      RETURNING id`),
    openGroup: db.prepare("SELECT * FROM alert_group WHERE device = ? AND rule = ? AND closed_at IS NULL"),
    group: db.prepare("SELECT * FROM alert_group WHERE id = ?"),
    addGroup: db.prepare(
      "INSERT INTO alert_group (device, rule, channel, opened_at, dirty) VALUES (?, ?, ?, ?, 1) RETURNING id",
    ),
    dirty: db.prepare("UPDATE alert_group SET dirty = 1 WHERE id = ?"),
    dirtyGroups: db.prepare("SELECT * FROM alert_group WHERE dirty = 1 ORDER BY id"),
    rendered: db.prepare("UPDATE alert_group SET dirty = 0, ts = ?, closed_at = ? WHERE id = ?"),
    members: db.prepare("SELECT * FROM alert WHERE group_id = ? ORDER BY id"),
    addNote: db.prepare("INSERT INTO alert_note (group_id, text) VALUES (?, ?)"),
    notes: db.prepare("SELECT * FROM alert_note WHERE posted = 0 ORDER BY id"),
    notePosted: db.prepare("UPDATE alert_note SET posted = 1 WHERE id = ?"),
    addSilence: db.prepare(
      "INSERT INTO alert_silence (target_kind, target, reason, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    ),
    silences: db.prepare(
      "SELECT * FROM alert_silence WHERE removed_at IS NULL AND expires_at > ? ORDER BY id",
    ),
    silence: db.prepare("SELECT * FROM alert_silence WHERE id = ?"),
    unsilence: db.prepare(
      "UPDATE alert_silence SET removed_by = ?, removed_at = ? WHERE id = ? AND removed_at IS NULL",
    ),
    recent: db.prepare("SELECT * FROM alert WHERE status = 'resolved' AND resolved_at >= ? ORDER BY id"),
  };

  return {
    cursor: (consumer: string): number => Number((s.cursor.get(consumer) as Row | undefined)?.last_id ?? 0),
    hasCursor: (consumer: string): boolean => s.cursor.get(consumer) !== undefined,
    /** The newest change-log id older than `at` (0 when none). */
    lastChangeBefore: (at: number): number =>
      Number((db.prepare("SELECT MAX(id) AS id FROM change_log WHERE at < ?").get(at) as Row).id ?? 0),
    setCursor: (consumer: string, id: number) => void s.setCursor.run(consumer, id),
    active: (): Alert[] => (s.active.all() as Row[]).map(alertFromRow),
    byKey: (key: string): Alert | undefined => {
      const r = s.byKey.get(key) as Row | undefined;
      return r ? alertFromRow(r) : undefined;
    },
    byId: (id: number): Alert | undefined => {
      const r = s.byId.get(id) as Row | undefined;
      return r ? alertFromRow(r) : undefined;
    },
    /** Inserts or updates by key (the UNIQUE key makes a second row impossible); returns the id. */
    save(a: Alert): number {
      const row = s.upsert.get({
        ...a,
        notified: a.notified ? 1 : 0,
        transitions: JSON.stringify(a.transitions),
        detail: JSON.stringify(a.detail),
      }) as Row;
      return Number(row.id);
    },
    openGroup(device: string, rule: string): AlertGroup | undefined {
      const r = s.openGroup.get(device, rule) as Row | undefined;
      return r ? groupFromRow(r) : undefined;
    },
    group(id: number): AlertGroup | undefined {
      const r = s.group.get(id) as Row | undefined;
      return r ? groupFromRow(r) : undefined;
    },
    addGroup: (device: string, rule: string, channel: string, at: number): number =>
      Number((s.addGroup.get(device, rule, channel, at) as Row).id),
    markDirty: (groupId: number) => void s.dirty.run(groupId),
    dirtyGroups: (): AlertGroup[] => (s.dirtyGroups.all() as Row[]).map(groupFromRow),
    rendered: (groupId: number, ts: string, closedAt: number | null) =>
      void s.rendered.run(ts, closedAt, groupId),
    members: (groupId: number): Alert[] => (s.members.all(groupId) as Row[]).map(alertFromRow),
    addNote: (groupId: number, text: string) => void s.addNote.run(groupId, text),
    unpostedNotes: (): { id: number; groupId: number; text: string }[] =>
      (s.notes.all() as Row[]).map((r) => ({
        id: Number(r.id),
        groupId: Number(r.group_id),
        text: String(r.text),
      })),
    notePosted: (id: number) => void s.notePosted.run(id),
    addSilence: (v: Omit<Silence, "id">): number =>
      Number(
        (s.addSilence.get(v.targetKind, v.target, v.reason, v.createdBy, v.createdAt, v.expiresAt) as Row).id,
      ),
    silences: (now: number): Silence[] => (s.silences.all(now) as Row[]).map(silenceFromRow),
    silence(id: number): (Silence & { removedAt: number | null }) | undefined {
      const r = s.silence.get(id) as Row | undefined;
      return r ? { ...silenceFromRow(r), removedAt: num(r.removed_at) } : undefined;
    },
    /** Compare-and-set: false when it was already removed. */
    unsilence: (id: number, by: string, at: number): boolean => s.unsilence.run(by, at, id).changes === 1,
    resolvedSince: (at: number): Alert[] => (s.recent.all(at) as Row[]).map(alertFromRow),
  };
}
