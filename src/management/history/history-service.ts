import { renderChartPng } from "../../lib/chart/png.js";
import { sparkline } from "../../lib/chart/sparkline.js";
import { formatValue } from "../../lib/chart/units.js";
import type { Clock } from "../../lib/clock.js";
import { NotFoundError, UsageError } from "../../lib/errors.js";
import type { FleetQueries } from "../fleet-query-types.js";
import { type GraphTarget, graphSpec, panelsFor } from "./graph-spec.js";
import type { HistoryReader, Metric } from "./metrics.js";
import type { Timeline } from "./timeline.js";

export interface ChartResult {
  target: GraphTarget;
  title: string;
  filename: string;
  png: Uint8Array;
  /** One text line: the first series as a sparkline with its last value. */
  sparkline: string;
  /** Known values drawn, all series together (0: nothing recorded in the range). */
  values: number;
}

/** What commands and alerts may ask of the history (Services.history). */
export interface HistoryService {
  /** A port (by name, alias, or a text only one port matches), a drive, or the device when `word` is absent. */
  resolveTarget(device: string, word?: string): GraphTarget;
  chart(target: GraphTarget, rangeMs: number, rangeText: string): Promise<ChartResult>;
  timeline: Timeline;
  /** Latest error and discard rates per port name, from polls no older than `since`. */
  portRates(
    device: string,
    since: number,
  ): Map<string, { errorsPs: number | null; discardsPs: number | null }>;
}

export interface HistoryServiceDeps {
  /** Where series are read: the SQLite series store, or Prometheus for devices it sources. */
  reader: HistoryReader;
  latest(device: string, metrics: readonly Metric[], since: number): Map<string, Map<Metric, number | null>>;
  fleet: FleetQueries;
  timeline: Timeline;
  clock: Clock;
  timeZone: string;
  /** Most points per series a chart asks for (a 7-day range of 5-minute buckets is 2016). */
  maxPoints?: number;
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-|-$/g, "");

export function createHistoryService(deps: HistoryServiceDeps): HistoryService {
  const { fleet, clock } = deps;
  const maxPoints = deps.maxPoints ?? 2100;

  function resolvePort(device: string, word: string): GraphTarget | undefined {
    const all = fleet.links(device)?.ports ?? [];
    const w = word.toLowerCase();
    const exact =
      all.find((p) => p.name.toLowerCase() === w) ??
      all.find((p) => p.alias !== "" && p.alias.toLowerCase() === w);
    const matches = exact ? [exact] : (fleet.links(device, word)?.ports ?? []);
    if (matches.length > 1) {
      const names = matches.slice(0, 6).map((p) => (p.alias ? `${p.name} (${p.alias})` : p.name));
      throw new UsageError(`"${word}" matches ${matches.length} ports of ${device}; name one.`, [
        `For example: ${names.join(", ")}`,
      ]);
    }
    const p = matches[0];
    return (
      p && {
        kind: "port",
        device,
        object: p.name || `ifIndex ${p.ifIndex}`,
        alias: p.alias,
        speedMbps: p.speedMbps,
      }
    );
  }

  function resolveDrive(device: string, word: string): GraphTarget | undefined {
    const w = word.toLowerCase();
    const d = fleet
      .drives({ scope: { device } })
      .items.find((x) => x.key.toLowerCase() === w || x.name.toLowerCase() === w);
    return d && { kind: "drive", device, object: d.key, name: d.name };
  }

  return {
    timeline: deps.timeline,

    resolveTarget(device, word) {
      if (word === undefined || word === "") return { kind: "device", device, object: "" };
      const target = resolvePort(device, word) ?? resolveDrive(device, word);
      if (target) return target;
      throw new NotFoundError(`${device} has no port or drive "${word}".`, [
        `\`links ${device}\` lists its ports, \`drives ${device}\` its drives.`,
      ]);
    },

    async chart(target, rangeMs, rangeText) {
      const to = clock.now();
      const from = to - rangeMs;
      const metrics = panelsFor(target).flatMap((p) => p.metrics);
      const data = await deps.reader.read({
        device: target.device,
        object: target.object,
        metrics,
        from,
        to,
        maxPoints,
      });
      const spec = graphSpec({ target, data, from, to, rangeText, timeZone: deps.timeZone });
      const first = data[0];
      const firstPanel = panelsFor(target)[0]!;
      const lastKnown = first?.points.findLast((p) => p.value !== null)?.value ?? null;
      const line = first
        ? `${spec.panels[0]?.series[0]?.name ?? first.metric} ${sparkline(
            first.points.map((p) => p.value),
            48,
          )} ${formatValue(lastKnown, firstPanel.unit)} now`
        : "";
      return {
        target,
        title: spec.title,
        filename: `${slug(`${target.device}-${target.object || "device"}-${rangeText}`)}.png`,
        png: renderChartPng(spec),
        sparkline: line,
        values: data.reduce((n, d) => n + d.points.filter((p) => p.value !== null).length, 0),
      };
    },

    portRates(device, since) {
      const latest = deps.latest(device, ["errors_ps", "discards_ps"], since);
      const out = new Map<string, { errorsPs: number | null; discardsPs: number | null }>();
      for (const [object, m] of latest) {
        out.set(object, { errorsPs: m.get("errors_ps") ?? null, discardsPs: m.get("discards_ps") ?? null });
      }
      return out;
    },
  };
}
