/**
 * What the history records. Port series are keyed by port name (as the change log is), drive series by
 * drive key, device series by "" (the device itself).
 */
export type PortMetric = "in_bps" | "out_bps" | "errors_ps" | "discards_ps";
export type DriveMetric = "temperature_c" | "reallocated_sectors" | "pending_sectors";
export type DeviceMetric = "reachable" | "poll_ms";
export type Metric = PortMetric | DriveMetric | DeviceMetric;

export const PORT_METRICS: readonly PortMetric[] = ["in_bps", "out_bps", "errors_ps", "discards_ps"];
export const DRIVE_METRICS: readonly DriveMetric[] = [
  "temperature_c",
  "reallocated_sectors",
  "pending_sectors",
];
export const DEVICE_METRICS: readonly DeviceMetric[] = ["reachable", "poll_ms"];

/** One value of one series at one poll. `value: null` records that nothing could be known then. */
export interface Sample {
  device: string;
  object: string;
  metric: Metric;
  value: number | null;
}

/** A point as read back: a raw poll value, or a bucket's average with its min and max. */
export interface SeriesPoint {
  at: number;
  value: number | null;
  min?: number | null;
  max?: number | null;
}

export interface SeriesData {
  metric: Metric;
  /** 0 for raw polls (spacing = the poll interval), else the bucket width. */
  stepMs: number;
  points: SeriesPoint[];
}

export interface SeriesQuery {
  device: string;
  object: string;
  metrics: readonly Metric[];
  from: number;
  to: number;
  /** The reader picks the finest stored resolution that fits this many points. */
  maxPoints: number;
}

/**
 * The seam every history consumer reads through (graph, links rates, alert charts). The SQLite
 * series store implements it for polled devices; a Prometheus-sourced device implements it with
 * `query_range`.
 */
export interface HistoryReader {
  read(q: SeriesQuery): Promise<SeriesData[]>;
}
