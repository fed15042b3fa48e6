import type { Config } from "../../config/schema.js";
import type { Clock } from "../../lib/clock.js";
import type { Store } from "../../store/store.js";
import type { FleetQueries } from "../fleet-query-types.js";
import { createHistoryService, type HistoryService } from "./history-service.js";
import type { HistoryReader } from "./metrics.js";
import { seriesTiers } from "./retention.js";
import { routedReader } from "./routed-reader.js";
import { createSeriesStore, type SeriesStore } from "./series-store.js";
import { createTimeline } from "./timeline.js";

/**
 * History kept in opsbot's own store: the series store (the poller writes it, pass it as `series`) and
 * the history service reading it and the change log. A device sourced elsewhere (Prometheus) gets its
 * own `HistoryReader` (`readerFor`), chosen per device.
 */
export function createStoreHistory(deps: {
  store: Store;
  clock: Clock;
  fleet: FleetQueries;
  config: Pick<Config, "retention" | "timezone">;
  /** The reader of a device whose history lives elsewhere (Prometheus), else undefined. */
  readerFor?: (device: string) => HistoryReader | undefined;
}): { series: SeriesStore; history: HistoryService } {
  const { store, clock, fleet, config } = deps;
  const series = createSeriesStore({ store, clock, tiers: seriesTiers(config.retention.series) });
  const history = createHistoryService({
    reader: deps.readerFor ? routedReader(series, deps.readerFor) : series,
    latest: series.latest,
    fleet,
    timeline: createTimeline(store),
    clock,
    timeZone: config.timezone,
  });
  return { series, history };
}
