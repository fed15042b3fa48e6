import {
  DEVICE_METRICS,
  type DeviceMetric,
  type HistoryReader,
  type Metric,
  type SeriesData,
  type SeriesQuery,
} from "../../history/metrics.js";
import { labelMatcher } from "./batches.js";
import type { PrometheusApi } from "./prometheus-api.js";

/**
 * History of a Prometheus-sourced device, read with `query_range` (opsbot keeps no series for it):
 * port traffic and error/discard rates from `rate()` over snmp_exporter's counters, reachability from
 * `up`, poll time from `scrape_duration_seconds`. The step follows the range and the chart's width;
 * every step of the range is a point and a step Prometheus has no value for is `null` — a gap, never
 * a joined line. Drive series are not exported by snmp_exporter's module: they read back empty.
 */
export interface PrometheusHistoryDeps {
  api: PrometheusApi;
  deviceLabel: string;
  /** Label matchers added to every query (the source's `matchers`). */
  matchers: string;
  /** The label values the device is known by in Prometheus. */
  labelValues(device: string): string[];
  /** A port's ifIndex from its series key (its name, or "ifIndex N"). */
  ifIndexOf(device: string, port: string): number | undefined;
  /** Shortest rate() window: at least twice the scrape interval, so every window holds two samples. */
  rateWindowMs: number;
}

/** Steps a chart may use: the first one that keeps the range within its points. */
const STEPS_S = [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];

export function stepFor(rangeMs: number, maxPoints: number): number {
  const wanted = rangeMs / Math.max(1, maxPoints) / 1000;
  return (STEPS_S.find((s) => s >= wanted) ?? Math.ceil(wanted / 86400) * 86400) * 1000;
}

/** The PromQL of one metric over a selector; rates over `window`. */
export function promqlFor(metric: Metric, selector: string, window: string): string | undefined {
  const rate = (name: string) => `rate(${name}{${selector}}[${window}])`;
  // In and out both count; the out side is labelled apart so `or` keeps it, then they are summed.
  const both = (a: string, b: string) =>
    `sum(${rate(a)} or label_replace(${rate(b)}, "opsbot_side", "out", "", ""))`;
  switch (metric) {
    case "in_bps":
      return `(${rate("ifHCInOctets")} or ${rate("ifInOctets")}) * 8`;
    case "out_bps":
      return `(${rate("ifHCOutOctets")} or ${rate("ifOutOctets")}) * 8`;
    case "errors_ps":
      return both("ifInErrors", "ifOutErrors");
    case "discards_ps":
      return both("ifInDiscards", "ifOutDiscards");
    // Over the same window as the rates: no 5-minute lookback painting over a gap.
    case "reachable":
      return `max(max_over_time(up{${selector}}[${window}]))`;
    case "poll_ms":
      return `max(max_over_time(scrape_duration_seconds{${selector}}[${window}])) * 1000`;
    default:
      return undefined;
  }
}

export function createPrometheusHistory(deps: PrometheusHistoryDeps): HistoryReader {
  return {
    async read(q: SeriesQuery): Promise<SeriesData[]> {
      const stepMs = stepFor(q.to - q.from, q.maxPoints);
      const start = Math.ceil(q.from / stepMs) * stepMs;
      const window = `${Math.max(2 * stepMs, deps.rateWindowMs) / 1000}s`;
      const grid: number[] = [];
      for (let t = start; t <= q.to; t += stepMs) grid.push(t);
      const device = selectorFor(deps, { ...q, object: "" });
      const port = selectorFor(deps, q);
      return Promise.all(
        q.metrics.map(async (metric) => {
          // Reachability and poll time belong to the device, whatever object was asked for.
          const selector = DEVICE_METRICS.includes(metric as DeviceMetric) ? device : port;
          const promql = selector === undefined ? undefined : promqlFor(metric, selector, window);
          if (promql === undefined) return { metric, stepMs, points: [] };
          const series = await deps.api.queryRange(promql, start, grid.at(-1) ?? start, stepMs);
          const values = new Map<number, number>();
          for (const s of series) for (const [t, v] of s.points) if (Number.isFinite(v)) values.set(t, v);
          return { metric, stepMs, points: grid.map((at) => ({ at, value: values.get(at) ?? null })) };
        }),
      );
    },
  };
}

/** The device's (and port's) series selector; undefined when the port is not known. */
function selectorFor(deps: PrometheusHistoryDeps, q: SeriesQuery): string | undefined {
  const parts = [labelMatcher(deps.deviceLabel, deps.labelValues(q.device))];
  if (deps.matchers.trim() !== "") parts.push(deps.matchers.trim());
  if (q.object !== "") {
    const ifIndex = deps.ifIndexOf(q.device, q.object);
    if (ifIndex === undefined) return undefined;
    parts.push(`ifIndex="${ifIndex}"`);
  }
  return parts.join(",");
}
