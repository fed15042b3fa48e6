import type { ChartPanel, ChartSeries, ChartSpec } from "../../lib/chart/types.js";
import type { Metric, SeriesData } from "./metrics.js";

/** What a graph shows: a port, a drive, or the device itself. */
export type GraphTarget =
  | { kind: "port"; device: string; object: string; alias: string; speedMbps: number }
  | { kind: "drive"; device: string; object: string; name: string }
  | { kind: "device"; device: string; object: "" };

const COLORS: Record<Metric, string> = {
  in_bps: "#1f77b4",
  out_bps: "#2ca02c",
  errors_ps: "#d62728",
  discards_ps: "#ff7f0e",
  temperature_c: "#d62728",
  reallocated_sectors: "#9467bd",
  pending_sectors: "#ff7f0e",
  reachable: "#2ca02c",
  poll_ms: "#1f77b4",
};

const NAMES: Record<Metric, string> = {
  in_bps: "in",
  out_bps: "out",
  errors_ps: "errors (in+out)",
  discards_ps: "discards (in+out)",
  temperature_c: "temperature",
  reallocated_sectors: "reallocated sectors",
  pending_sectors: "pending sectors",
  reachable: "reachable (1 = yes)",
  poll_ms: "poll time",
};

/** The panels of each target: metrics, unit and height. */
export function panelsFor(
  target: GraphTarget,
): { title: string; unit: string; metrics: Metric[]; height?: number }[] {
  switch (target.kind) {
    case "port":
      return [
        { title: "Traffic", unit: "bit/s", metrics: ["in_bps", "out_bps"] },
        { title: "Errors and discards", unit: "/s", metrics: ["errors_ps", "discards_ps"], height: 110 },
      ];
    case "drive":
      return [
        { title: "Temperature", unit: "°C", metrics: ["temperature_c"], height: 150 },
        { title: "Sectors", unit: "", metrics: ["reallocated_sectors", "pending_sectors"], height: 110 },
      ];
    case "device":
      return [
        { title: "Reachability", unit: "", metrics: ["reachable"], height: 80 },
        { title: "Poll duration", unit: "ms", metrics: ["poll_ms"], height: 140 },
      ];
  }
}

export function graphTitle(target: GraphTarget): string {
  switch (target.kind) {
    case "port":
      return `${target.device} ${target.object}${target.alias ? ` — ${target.alias}` : ""}`;
    case "drive":
      return `${target.device} drive ${target.name}`;
    case "device":
      return `${target.device}: reachability and poll time`;
  }
}

const STEP_TEXT = (stepMs: number) =>
  stepMs === 0
    ? "every poll"
    : stepMs % 3_600_000 === 0
      ? `${stepMs / 3_600_000}h averages`
      : `${stepMs / 60_000}-minute averages`;

/** The chart for a target from the series read for it. Pure. */
export function graphSpec(o: {
  target: GraphTarget;
  data: SeriesData[];
  from: number;
  to: number;
  rangeText: string;
  timeZone: string;
}): ChartSpec {
  const byMetric = new Map(o.data.map((d) => [d.metric, d]));
  const panels: ChartPanel[] = panelsFor(o.target).map((p) => ({
    title: p.title,
    unit: p.unit,
    ...(p.height ? { height: p.height } : {}),
    series: p.metrics.map((m): ChartSeries => {
      const d = byMetric.get(m);
      return {
        name: NAMES[m],
        color: COLORS[m],
        points: (d?.points ?? []).map((pt) => ({ at: pt.at, value: pt.value })),
        // Buckets are contiguous: a missing one is a gap. Raw polls: the chart infers their spacing.
        ...(d && d.stepMs > 0 ? { gapMs: d.stepMs * 1.5 } : {}),
      };
    }),
  }));
  const step = o.data.find((d) => d.points.length > 0)?.stepMs ?? 0;
  const speed =
    o.target.kind === "port" && o.target.speedMbps > 0
      ? ` · link ${o.target.speedMbps >= 1000 ? `${o.target.speedMbps / 1000} Gbit/s` : `${o.target.speedMbps} Mbit/s`}`
      : "";
  return {
    title: graphTitle(o.target),
    subtitle: `last ${o.rangeText} · ${STEP_TEXT(step)}${speed}`,
    from: o.from,
    to: o.to,
    timeZone: o.timeZone,
    panels,
  };
}
