/** A chart described as data: what the SVG builder draws. Knows nothing of devices or ports. */
export interface ChartPoint {
  at: number;
  /** null: nothing known at this time (drawn as a gap, never joined across). */
  value: number | null;
}

export interface ChartSeries {
  name: string;
  color: string;
  points: ChartPoint[];
  /** Points further apart than this are not joined. Default 2.5 × the median spacing. */
  gapMs?: number;
}

export interface ChartPanel {
  title: string;
  /** Unit of the values: "bit/s" and "/s" get SI prefixes (k, M, G); others are printed as they are. */
  unit: string;
  series: ChartSeries[];
  /** Plot height in pixels. */
  height?: number;
}

export interface ChartSpec {
  title: string;
  subtitle?: string;
  from: number;
  to: number;
  /** IANA zone for the time axis. */
  timeZone: string;
  panels: ChartPanel[];
  /** Image width in pixels (default 800). */
  width?: number;
}
