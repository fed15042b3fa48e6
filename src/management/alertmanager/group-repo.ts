import type { Store } from "../../store/store.js";
import type { AmAlert, AmWebhook } from "./payload.js";

/** One Alertmanager group as opsbot keeps it: alerts by fingerprint and the message showing them. */
export interface AmGroup {
  groupKey: string;
  receiver: string;
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations: Record<string, string>;
  alerts: Record<string, Omit<AmAlert, "fingerprint">>;
  channel: string;
  ts: string | null;
  shownHash: string | null;
  updatedAt: number;
}

export interface AmGroupRepo {
  get(groupKey: string): AmGroup | undefined;
  /** Merges a delivery into its group (alerts by fingerprint; a stale redelivery never undoes a newer state). */
  merge(payload: AmWebhook, channel: string, at: number): AmGroup;
  shown(groupKey: string, ts: string, hash: string): void;
}

export function createAmGroupRepo(store: Store): AmGroupRepo {
  const db = store.db;
  const select = db.prepare("SELECT * FROM am_group WHERE group_key = ?");
  const upsert = db.prepare(`
    INSERT INTO am_group (group_key, receiver, status, labels, annotations, alerts, channel, ts, shown_hash, updated_at)
    VALUES (@groupKey, @receiver, @status, @labels, @annotations, @alerts, @channel, NULL, NULL, @updatedAt)
    ON CONFLICT(group_key) DO UPDATE SET receiver = excluded.receiver, status = excluded.status,
      labels = excluded.labels, annotations = excluded.annotations, alerts = excluded.alerts,
      updated_at = excluded.updated_at`);
  const markShown = db.prepare("UPDATE am_group SET ts = ?, shown_hash = ? WHERE group_key = ?");

  const get = (groupKey: string): AmGroup | undefined => {
    const r = select.get(groupKey) as Record<string, unknown> | undefined;
    if (!r) return undefined;
    return {
      groupKey: String(r.group_key),
      receiver: String(r.receiver),
      status: r.status as AmGroup["status"],
      labels: JSON.parse(String(r.labels)),
      annotations: JSON.parse(String(r.annotations)),
      alerts: JSON.parse(String(r.alerts)),
      channel: String(r.channel),
      ts: r.ts === null ? null : String(r.ts),
      shownHash: r.shown_hash === null ? null : String(r.shown_hash),
      updatedAt: Number(r.updated_at),
    };
  };

  return {
    get,
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
          labels: JSON.stringify(payload.commonLabels),
          annotations: JSON.stringify(payload.commonAnnotations),
          alerts: JSON.stringify(alerts),
          channel: prev?.channel ?? channel,
          updatedAt: at,
        });
        return get(payload.groupKey)!;
      });
    },
    shown(groupKey, ts, hash) {
      markShown.run(ts, hash, groupKey);
    },
  };
}
