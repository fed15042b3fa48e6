import type { OutboxStats } from "../chat/adapter.js";
import type { Clock } from "../lib/clock.js";
import type { OpsMetrics } from "../lib/ops/metrics.js";
import type { FleetQueries } from "../management/fleet-query-types.js";
import type { ProgressEvent } from "../orchestration/progress.js";
import type { Store } from "../store/store.js";

/**
 * Gauges read from the store at scrape time (they cannot drift from what the store holds), and the
 * step-duration histogram fed from run progress events.
 */
export function registerStoreGauges(
  metrics: OpsMetrics,
  deps: { store: Store; fleet: FleetQueries; clock: Clock },
) {
  const { store, fleet, clock } = deps;
  const rows = <T>(sql: string) => (store.db.open ? (store.db.prepare(sql).all() as T[]) : []);
  metrics.gauge("opsbot_devices", "Devices in the cache, by state.", ["state"], () => {
    if (!store.db.open) return [];
    const c = fleet.fleet();
    return [
      { labels: { state: "total" }, value: c.devices },
      { labels: { state: "reachable" }, value: c.reachable },
      { labels: { state: "unreachable" }, value: c.unreachable },
      { labels: { state: "never_polled" }, value: c.neverPolled },
      { labels: { state: "stale" }, value: c.stale },
    ];
  });
  metrics.gauge(
    "opsbot_change_log_lag_seconds",
    "Age of the oldest change-log row the alert engine has not processed yet (0 when caught up).",
    [],
    () => {
      const [r] = rows<{ at: number | null }>(`SELECT MIN(c.at) AS at FROM change_log c
        WHERE c.id > COALESCE((SELECT last_id FROM alert_cursor WHERE consumer = 'alerts'), 0)`);
      return [{ value: r?.at ? Math.max(0, (clock.now() - r.at) / 1000) : 0 }];
    },
  );
  metrics.gauge("opsbot_runs", "Runbook runs by state.", ["state"], () =>
    rows<{ status: string; n: number }>("SELECT status, COUNT(*) AS n FROM runs GROUP BY status").map(
      (r) => ({
        labels: { state: r.status },
        value: r.n,
      }),
    ),
  );
  metrics.gauge("opsbot_approvals_pending", "Approvals waiting for a decision.", [], () => {
    const [r] = rows<{ n: number }>("SELECT COUNT(*) AS n FROM approvals WHERE status = 'pending'");
    return [{ value: r?.n ?? 0 }];
  });
  metrics.gauge(
    "opsbot_fleet_source_up",
    "1 when the fleet data source answered its last cycle.",
    ["source"],
    () =>
      rows<{ name: string; ok: number }>("SELECT name, ok FROM fleet_source_status").map((r) => ({
        labels: { source: r.name },
        value: r.ok,
      })),
  );
}

/** Chat transport gauges (Slack's outbox: backlog, 429s, memory bound and spill). */
export function registerChatGauges(metrics: OpsMetrics, stats: () => OutboxStats) {
  metrics.gauge("opsbot_outbox_backlog", "Chat messages queued and not yet delivered.", [], () => [
    { value: stats().pending },
  ]);
  metrics.gauge(
    "opsbot_outbox_rate_limited",
    "Chat API answers of 429 (rate limited) since start.",
    [],
    () => [{ value: stats().rateLimited }],
  );
  const bound: [string, string, (s: OutboxStats) => number | undefined][] = [
    [
      "opsbot_outbox_memory_messages",
      "Chat messages waiting in memory (bounded by outbox.memory_messages; the rest are spilled).",
      (s) => s.inMemory,
    ],
    [
      "opsbot_outbox_memory_bytes",
      "Bytes of chat messages waiting in memory (bounded by outbox.memory_mb).",
      (s) => s.inMemoryBytes,
    ],
    [
      "opsbot_outbox_spilled",
      "Chat messages waiting in the database spill for Slack to come back.",
      (s) => s.spilled,
    ],
    [
      "opsbot_outbox_dropped",
      "Chat messages dropped since start (memory past outbox.hard_* while the spill failed; uploads at stop).",
      (s) => s.dropped,
    ],
  ];
  for (const [name, help, value] of bound)
    metrics.gauge(name, help, [], () => [{ value: value(stats()) ?? 0 }]);
}

/** Observes each step's duration from its running → finished progress events. */
export function stepDurationListener(metrics: OpsMetrics): (e: ProgressEvent) => void {
  const started = new Map<string, number>();
  return (e) => {
    if (e.type !== "step") return;
    const key = `${e.runId}/${e.key}/${e.attempt}`;
    if (e.status === "running") {
      started.set(key, e.at);
      return;
    }
    const t0 = started.get(key);
    if (t0 === undefined) return;
    started.delete(key);
    metrics.stepSeconds.observe({ outcome: e.status }, Math.max(0, (e.at - t0) / 1000));
  };
}
