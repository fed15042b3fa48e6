import type { Clock } from "../lib/clock.js";
import type { ReadinessCheck } from "../lib/ops/readiness.js";
import type { Poller } from "../management/poller.js";
import type { StoreHealth } from "../store/faults.js";
import type { Store } from "../store/store.js";

/**
 * The named readiness checks /readyz runs: chat, store, scheduler, sources. Each says in one line
 * what it saw, so "not ready" names the part and the reason.
 */

/** Slack connected (Socket Mode socket open / HTTP listening), or the console, which is always there. */
export function chatCheck(state: () => { connected: boolean; detail: string }): ReadinessCheck {
  return {
    name: "chat",
    check: () => {
      const s = state();
      return { ok: s.connected, detail: s.detail };
    },
  };
}

/** The store takes a write: one row rewritten in a transaction (a read-only or full disk fails here). */
export function storeCheck(store: Store, clock: Clock, health?: StoreHealth): ReadinessCheck {
  return {
    name: "store",
    check: () => {
      if (!store.db.open) return { ok: false, detail: "the database is closed" };
      // The retrying writers already saw the outage: say theirs (with since when) rather than probe again.
      const state = health?.state();
      if (state && !state.ok)
        return {
          ok: false,
          detail: `not writable: ${state.reason ?? "store fault"}${state.since ? ` since ${new Date(state.since).toISOString()}` : ""} (${store.path})`,
        };
      try {
        store.tx(() =>
          store.db.prepare("INSERT OR REPLACE INTO ops_probe (id, at) VALUES (1, ?)").run(clock.now()),
        );
        return { ok: true, detail: `writable (${store.path})` };
      } catch (err) {
        return { ok: false, detail: `not writable: ${(err as Error).message} (${store.path})` };
      }
    },
  };
}

/** The poller's schedules are armed (when it has devices to poll). */
export function schedulerCheck(poller: Poller | undefined): ReadinessCheck {
  return {
    name: "scheduler",
    check: () => {
      if (!poller) return { ok: true, detail: "no poller in this mode" };
      const s = poller.stats();
      if (s.devices === 0) return { ok: true, detail: "no devices for the built-in poller" };
      return s.scheduled
        ? {
            ok: true,
            detail: `${s.devices} devices scheduled, ${s.running} polls running, ${s.waiting} waiting`,
          }
        : { ok: false, detail: `the poller is not scheduling its ${s.devices} devices` };
    },
  };
}

/** Every fleet data source answered its last cycle. */
export function sourcesCheck(store: Store): ReadinessCheck {
  return {
    name: "sources",
    check: () => {
      const rows = store.db
        .prepare("SELECT name, ok, error FROM fleet_source_status ORDER BY name")
        .all() as { name: string; ok: number; error: string | null }[];
      if (rows.length === 0) return { ok: true, detail: "built-in poller only" };
      const bad = rows.filter((r) => r.ok !== 1);
      if (bad.length === 0) return { ok: true, detail: rows.map((r) => `${r.name} ok`).join(", ") };
      return { ok: false, detail: bad.map((r) => `${r.name}: ${r.error ?? "failing"}`).join("; ") };
    },
  };
}
