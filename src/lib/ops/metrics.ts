import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * opsbot's own metrics (served on /metrics by the ops listener). Counters and histograms are
 * recorded where the work happens; gauges that describe stored state (stale devices, runs by state,
 * approvals pending, outbox backlog) are read at scrape time through `gauge(…)`, so they can never
 * drift from the store. One registry per process: a test builds its own.
 */
export interface OpsMetrics {
  readonly registry: Registry;
  /** Device polls by outcome (ok | unreachable | partial) and their wall time. */
  readonly polls: Counter<"outcome">;
  readonly pollSeconds: Histogram<"outcome">;
  /** Fleet data source queries (Prometheus…) by source, query and outcome, and their wall time. */
  readonly sourceQueries: Counter<"source" | "query" | "outcome">;
  readonly sourceQuerySeconds: Histogram<"source" | "query">;
  /** Alert messages posted/updated, by outcome (posted | updated | failed). */
  readonly alertDeliveries: Counter<"outcome">;
  /** Webhook requests by receiver and outcome (accepted | unauthorized | malformed | duplicate). */
  readonly webhooks: Counter<"receiver" | "outcome">;
  /** Runbook step durations by outcome. */
  readonly stepSeconds: Histogram<"outcome">;
  /** A gauge whose values are read from `collect` at every scrape (re-registering a name replaces it). */
  gauge(name: string, help: string, labelNames: string[], collect: () => GaugeSample[]): void;
  render(): Promise<string>;
  readonly contentType: string;
}

export interface GaugeSample {
  labels?: Record<string, string>;
  value: number;
}

const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export function createOpsMetrics(options: { defaultMetrics?: boolean } = {}): OpsMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.defaultMetrics !== false) {
    // Process CPU, RSS, event-loop lag, GC: the numbers an operator looks at first.
    collectDefaultMetrics({ register: registry, prefix: "opsbot_" });
  }
  return {
    registry,
    contentType: registry.contentType,
    polls: new Counter({
      name: "opsbot_polls_total",
      help: "Device polls by the built-in poller, by outcome.",
      labelNames: ["outcome"],
      registers,
    }),
    pollSeconds: new Histogram({
      name: "opsbot_poll_duration_seconds",
      help: "Wall time of one device poll.",
      labelNames: ["outcome"],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    sourceQueries: new Counter({
      name: "opsbot_source_queries_total",
      help: "Queries to fleet data sources (Prometheus), by source, query and outcome.",
      labelNames: ["source", "query", "outcome"],
      registers,
    }),
    sourceQuerySeconds: new Histogram({
      name: "opsbot_source_query_duration_seconds",
      help: "Wall time of one fleet data source query.",
      labelNames: ["source", "query"],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    alertDeliveries: new Counter({
      name: "opsbot_alert_deliveries_total",
      help: "Alert messages posted or updated in chat, by outcome.",
      labelNames: ["outcome"],
      registers,
    }),
    webhooks: new Counter({
      name: "opsbot_webhooks_total",
      help: "Incoming webhook requests, by receiver and outcome.",
      labelNames: ["receiver", "outcome"],
      registers,
    }),
    stepSeconds: new Histogram({
      name: "opsbot_run_step_duration_seconds",
      help: "Wall time of runbook steps, by outcome.",
      labelNames: ["outcome"],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    gauge(name, help, labelNames, collect) {
      // A config reload builds a new core over the same registry: its gauge replaces the old one.
      registry.removeSingleMetric(name);
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          for (const s of collect()) {
            if (s.labels) this.set(s.labels, s.value);
            else this.set(s.value);
          }
        },
      });
    },
    render: () => registry.metrics(),
  };
}
