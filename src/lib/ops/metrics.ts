import { createRequire } from "node:module";
import type { Counter, Histogram, LabelValues, Registry } from "prom-client";

type PromClient = typeof import("prom-client");

/**
 * opsbot's own metrics (served on /metrics by the ops listener). Counters and histograms are
 * recorded where the work happens; gauges that describe stored state (stale devices, runs by state,
 * approvals pending, outbox backlog) are read at scrape time through `gauge(…)`, so they can never
 * drift from the store. One registry per process: a test builds its own.
 */
export interface OpsMetrics {
  /** The prom-client registry (building it loads prom-client). */
  readonly registry: Registry;
  /** Device polls by outcome (ok | unreachable | partial) and their wall time. */
  readonly polls: Count<"outcome">;
  readonly pollSeconds: Observe<"outcome">;
  /** Fleet data source queries (Prometheus…) by source, query and outcome, and their wall time. */
  readonly sourceQueries: Count<"source" | "query" | "outcome">;
  readonly sourceQuerySeconds: Observe<"source" | "query">;
  /** Alert messages posted/updated, by outcome (posted | updated | failed). */
  readonly alertDeliveries: Count<"outcome">;
  /** Webhook requests by receiver and outcome (accepted | unauthorized | malformed | duplicate). */
  readonly webhooks: Count<"receiver" | "outcome">;
  /** Runbook step durations by outcome. */
  readonly stepSeconds: Observe<"outcome">;
  /** A gauge whose values are read from `collect` at every scrape (re-registering a name replaces it). */
  gauge(name: string, help: string, labelNames: string[], collect: () => GaugeSample[]): void;
  render(): Promise<string>;
  readonly contentType: string;
}

/** What recording code may do with a counter / histogram. */
export interface Count<L extends string> {
  inc(labels: LabelValues<L>, value?: number): void;
  inc(value?: number): void;
}
export interface Observe<L extends string> {
  observe(labels: LabelValues<L>, value: number): void;
  observe(value: number): void;
}

export interface GaugeSample {
  labels?: Record<string, string>;
  value: number;
}

const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * The registry and its metrics are built — and prom-client (~80 files) loaded — at the first
 * recording, registration of a scraped gauge being only remembered until then: a one-shot
 * `opsbot ask` that records nothing never loads it. With default metrics (the long-running modes)
 * everything is built at once, so process metrics start counting at start-up.
 */
export function createOpsMetrics(options: { defaultMetrics?: boolean } = {}): OpsMetrics {
  const gauges = new Map<string, GaugeDefinition>();
  let built: Built | undefined;
  const get = (): Built => {
    if (!built) {
      built = build(options.defaultMetrics !== false);
      for (const g of gauges.values()) built.addGauge(g);
      gauges.clear();
    }
    return built;
  };
  if (options.defaultMetrics !== false) get();
  const counter = <L extends string>(pick: (b: Built) => Counter<L>): Count<L> => ({
    inc: (labels?: LabelValues<L> | number, value?: number) => {
      if (typeof labels === "object") pick(get()).inc(labels, value);
      else pick(get()).inc(labels);
    },
  });
  const histogram = <L extends string>(pick: (b: Built) => Histogram<L>): Observe<L> => ({
    observe: (labels: LabelValues<L> | number, value?: number) => {
      if (typeof labels === "object") pick(get()).observe(labels, value as number);
      else pick(get()).observe(labels);
    },
  });
  return {
    get registry() {
      return get().registry;
    },
    get contentType() {
      return get().registry.contentType;
    },
    polls: counter((b) => b.polls),
    pollSeconds: histogram((b) => b.pollSeconds),
    sourceQueries: counter((b) => b.sourceQueries),
    sourceQuerySeconds: histogram((b) => b.sourceQuerySeconds),
    alertDeliveries: counter((b) => b.alertDeliveries),
    webhooks: counter((b) => b.webhooks),
    stepSeconds: histogram((b) => b.stepSeconds),
    gauge(name, help, labelNames, collect) {
      if (built) built.addGauge({ name, help, labelNames, collect });
      else gauges.set(name, { name, help, labelNames, collect });
    },
    render: () => get().registry.metrics(),
  };
}

interface GaugeDefinition {
  name: string;
  help: string;
  labelNames: string[];
  collect: () => GaugeSample[];
}

type Built = ReturnType<typeof build>;

let promClient: PromClient | undefined;

function build(defaultMetrics: boolean) {
  promClient ??= createRequire(import.meta.url)("prom-client") as PromClient;
  const { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } = promClient;
  const registry = new Registry();
  const registers = [registry];
  if (defaultMetrics) {
    // Process CPU, RSS, event-loop lag, GC: the numbers an operator looks at first.
    collectDefaultMetrics({ register: registry, prefix: "opsbot_" });
  }
  return {
    registry,
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
    addGauge({ name, help, labelNames, collect }: GaugeDefinition) {
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
  };
}
