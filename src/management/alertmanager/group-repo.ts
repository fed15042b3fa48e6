import type { Store } from "../../store/store.js";
import type { AmAlert, AmWebhook } from "./payload.js";

/** Someone from chat, as the payload and the store name them (never message text). */
export interface AmActor {
  id: string;
  name: string;
}

/** How a silence opsbot created ended: its time passed, expired in Alertmanager, or no longer there. */
export type AmSilenceEnd = "expired" | "expired_in_am" | "gone";

/** The Alertmanager silence opsbot created for a group. */
export interface AmSilence {
  id: string;
  by: AmActor;
  at: number;
  until: number;
  /** Set once the silence sync saw it end (see AmSilenceEnd); null while it holds. */
  ended: { at: number; how: AmSilenceEnd } | null;
}

/** Whether the group's silence still holds at `now`. */
export function silenceHolds(s: AmSilence | null, now: number): boolean {
  return s !== null && s.ended === null && s.until > now;
}

/** One Alertmanager group as opsbot keeps it: alerts by fingerprint and the message showing them. */
export interface AmGroup {
  /** Short id for buttons and `silence am:ID`. */
  id: number;
  groupKey: string;
  receiver: string;
  status: "firing" | "resolved";
  /** The group's own labels (Alertmanager's group_by): the silence's matchers. */
  groupLabels: Record<string, string>;
  /** Labels every alert of the group carries. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  alerts: Record<string, Omit<AmAlert, "fingerprint">>;
  /** Alerts of the group the last delivery left out (Alertmanager's webhook max_alerts). */
  truncated: number;
  channel: string;
  ts: string | null;
  shownHash: string | null;
  updatedAt: number;
  silence: AmSilence | null;
  ack: { by: AmActor; at: number } | null;
}

export interface AmGroupRepo {
  get(groupKey: string): AmGroup | undefined;
  byId(id: number): AmGroup | undefined;
  /** Merges a delivery into its group (alerts by fingerprint; a stale redelivery never undoes a newer state). */
  merge(payload: AmWebhook, channel: string, at: number): AmGroup;
  shown(groupKey: string, ts: string, hash: string): void;
  /** Records a silence Alertmanager accepted; false when another one was recorded first. */
  silenced(id: number, silence: Omit<AmSilence, "ended">): boolean;
  /** Forgets the group's silence if it is still `silenceId`. */
  unsilenced(id: number, silenceId: string): boolean;
  /** Firing groups, most recently changed first (at most `limit`), with how many fire in all. */
  firing(limit: number): { total: number; groups: AmGroup[] };
  /** Records the ack unless the group is acked already; false then. */
  acked(id: number, by: AmActor, at: number): boolean;
  /** Groups whose silence from opsbot has not been seen to end yet. */
  openSilences(): AmGroup[];
  /** Records once how `silenceId` ended; false when it is no longer the group's or already ended. */
  silenceEnded(id: number, silenceId: string, at: number, how: AmSilenceEnd): boolean;
  /** The silence's end moved in Alertmanager (extended or shortened there); false when not open. */
  silenceMoved(id: number, silenceId: string, until: number): boolean;
}

type Row = Record<string, unknown>;

const actor = (id: unknown, name: unknown): AmActor => ({ id: String(id), name: String(name) });

function fromRow(r: Row): AmGroup {
  return {
    id: Number(r.id),
    groupKey: String(r.group_key),
    receiver: String(r.receiver),
    status: r.status as AmGroup["status"],
    groupLabels: JSON.parse(String(r.group_labels)),
    labels: JSON.parse(String(r.labels)),
    annotations: JSON.parse(String(r.annotations)),
    alerts: JSON.parse(String(r.alerts)),
    truncated: Number(r.truncated ?? 0),
    channel: String(r.channel),
    ts: r.ts === null ? null : String(r.ts),
    shownHash: r.shown_hash === null ? null : String(r.shown_hash),
    updatedAt: Number(r.updated_at),
    silence:
      r.silence_id === null
        ? null
        : {
            id: String(r.silence_id),
            by: actor(r.silenced_by_id, r.silenced_by_name),
            at: Number(r.silenced_at),
            until: Number(r.silenced_until),
            ended:
              r.silence_ended_at === null || r.silence_ended_at === undefined
                ? null
                : { at: Number(r.silence_ended_at), how: r.silence_end as AmSilenceEnd },
          },
    ack: r.acked_at === null ? null : { by: actor(r.acked_by_id, r.acked_by_name), at: Number(r.acked_at) },
  };
}

export function createAmGroupRepo(store: Store): AmGroupRepo {
  const db = store.db;
  const columns =
    "g.*, a.id, a.silence_id, a.silenced_by_id, a.silenced_by_name, a.silenced_at, a.silenced_until, a.silence_ended_at, a.silence_end, a.acked_by_id, a.acked_by_name, a.acked_at";
  const select = db.prepare(
    `SELECT ${columns} FROM am_group g JOIN am_group_action a USING (group_key) WHERE g.group_key = ?`,
  );
  const selectById = db.prepare(
    `SELECT ${columns} FROM am_group g JOIN am_group_action a USING (group_key) WHERE a.id = ?`,
  );
  const upsert = db.prepare(`
    INSERT INTO am_group (group_key, receiver, status, group_labels, labels, annotations, alerts, truncated, channel, ts, shown_hash, updated_at)
    VALUES (@groupKey, @receiver, @status, @groupLabels, @labels, @annotations, @alerts, @truncated, @channel, NULL, NULL, @updatedAt)
    ON CONFLICT(group_key) DO UPDATE SET receiver = excluded.receiver, status = excluded.status,
      group_labels = excluded.group_labels, labels = excluded.labels, annotations = excluded.annotations,
      alerts = excluded.alerts, truncated = excluded.truncated, updated_at = excluded.updated_at`);
  const ensureAction = db.prepare("INSERT OR IGNORE INTO am_group_action (group_key) VALUES (?)");
  // An ack is about one episode: a group that resolved and fires again asks for a new one.
  const clearAck = db.prepare(
    "UPDATE am_group_action SET acked_by_id = NULL, acked_by_name = NULL, acked_at = NULL WHERE group_key = ?",
  );
  const markShown = db.prepare("UPDATE am_group SET ts = ?, shown_hash = ? WHERE group_key = ?");
  const setSilence = db.prepare(`UPDATE am_group_action SET silence_id = @sid, silenced_by_id = @byId,
    silenced_by_name = @byName, silenced_at = @at, silenced_until = @until, silence_ended_at = NULL,
    silence_end = NULL WHERE id = @id AND silence_id IS NULL`);
  const clearSilence = db.prepare(`UPDATE am_group_action SET silence_id = NULL, silenced_by_id = NULL,
    silenced_by_name = NULL, silenced_at = NULL, silenced_until = NULL, silence_ended_at = NULL,
    silence_end = NULL WHERE id = ? AND silence_id = ?`);
  const countFiring = db.prepare("SELECT count(*) AS n FROM am_group WHERE status = 'firing'");
  const selectFiring = db.prepare(
    `SELECT ${columns} FROM am_group g JOIN am_group_action a USING (group_key)
     WHERE g.status = 'firing' ORDER BY g.updated_at DESC, a.id DESC LIMIT ?`,
  );
  const selectOpen = db.prepare(
    `SELECT ${columns} FROM am_group g JOIN am_group_action a USING (group_key)
     WHERE a.silence_id IS NOT NULL AND a.silence_ended_at IS NULL ORDER BY a.id`,
  );
  const setEnded = db.prepare(`UPDATE am_group_action SET silence_ended_at = ?, silence_end = ?
    WHERE id = ? AND silence_id = ? AND silence_ended_at IS NULL`);
  const setUntil = db.prepare(`UPDATE am_group_action SET silenced_until = ?
    WHERE id = ? AND silence_id = ? AND silence_ended_at IS NULL`);
  const setAck = db.prepare(`UPDATE am_group_action SET acked_by_id = ?, acked_by_name = ?, acked_at = ?
    WHERE id = ? AND acked_at IS NULL`);

  const get = (groupKey: string): AmGroup | undefined => {
    const r = select.get(groupKey) as Row | undefined;
    return r ? fromRow(r) : undefined;
  };

  return {
    get,
    byId(id) {
      const r = selectById.get(id) as Row | undefined;
      return r ? fromRow(r) : undefined;
    },
    merge(payload, channel, at) {
      return store.durable(() => {
        const prev = get(payload.groupKey);
        const alerts = { ...(prev?.alerts ?? {}) };
        for (const a of payload.alerts) {
          const { fingerprint, ...rest } = a;
          const before = alerts[fingerprint];
          // The same alert delivered again (or out of order): keep whichever state is newer.
          if (
            before &&
            before.startsAt === rest.startsAt &&
            before.status === "resolved" &&
            rest.status === "firing"
          )
            continue;
          alerts[fingerprint] = rest;
        }
        const status = Object.values(alerts).some((a) => a.status === "firing") ? "firing" : "resolved";
        upsert.run({
          groupKey: payload.groupKey,
          receiver: payload.receiver,
          status,
          groupLabels: JSON.stringify(payload.groupLabels),
          labels: JSON.stringify(payload.commonLabels),
          annotations: JSON.stringify(payload.commonAnnotations),
          alerts: JSON.stringify(alerts),
          truncated: payload.truncatedAlerts,
          channel: prev?.channel ?? channel,
          updatedAt: at,
        });
        ensureAction.run(payload.groupKey);
        if (prev?.status === "resolved" && status === "firing") clearAck.run(payload.groupKey);
        return get(payload.groupKey)!;
      });
    },
    shown(groupKey, ts, hash) {
      markShown.run(ts, hash, groupKey);
    },
    silenced(id, s) {
      return store.durable(
        () =>
          setSilence.run({ id, sid: s.id, byId: s.by.id, byName: s.by.name, at: s.at, until: s.until })
            .changes === 1,
      );
    },
    unsilenced(id, silenceId) {
      return store.durable(() => clearSilence.run(id, silenceId).changes === 1);
    },
    acked(id, by, at) {
      return store.durable(() => setAck.run(by.id, by.name, at, id).changes === 1);
    },
    firing(limit) {
      const total = Number((countFiring.get() as Row).n);
      return { total, groups: (selectFiring.all(limit) as Row[]).map(fromRow) };
    },
    openSilences() {
      return (selectOpen.all() as Row[]).map(fromRow);
    },
    silenceEnded(id, silenceId, at, how) {
      return store.durable(() => setEnded.run(at, how, id, silenceId).changes === 1);
    },
    silenceMoved(id, silenceId, until) {
      return store.durable(() => setUntil.run(until, id, silenceId).changes === 1);
    },
  };
}
