import type { PrometheusSourceConfig } from "../../../config/ops-schema.js";
import type { DeviceConfig } from "../../../config/schema.js";
import type { Clock } from "../../../lib/clock.js";
import { parseDuration } from "../../../lib/clock.js";
import type { Logger } from "../../../lib/logger.js";
import type { OpsMetrics } from "../../../lib/ops/metrics.js";
import type { Store } from "../../../store/store.js";
import { ALL_SNMP_COLLECTORS, collectWithClient } from "../../collectors/snmp/collect-with-client.js";
import type { HistoryReader } from "../../history/metrics.js";
import { createLimiter } from "../../limiter.js";
import type { DeviceObservation } from "../../observations.js";
import { recordPoll } from "../../record-poll.js";
import { createStateRepo, type DeviceRegistration } from "../../state-repo.js";
import { recordSourceStatus } from "../source-status.js";
import { type BatchTarget, splitBatches } from "./batches.js";
import { createDiscoverySink } from "./discovery.js";
import { batchQuery, createBatchReader } from "./fleet-snapshot.js";
import { createPrometheusHistory } from "./history-reader.js";
import { MIB_COLUMNS, type MibColumn } from "./mib-columns.js";
import { createMibView } from "./mib-view.js";
import type { PrometheusApi, SeriesSink } from "./prometheus-api.js";

/**
 * Prometheus as a fleet data source. The fleet is read in batches of devices: one instant query per
 * batch (a device-label regex matcher) returns its devices' scrape times, `up` and MIB series; each
 * batch is rebuilt into per-device MIB views, run through the SNMP collectors and recorded through the
 * same diff → current state → change log path as the poller as soon as it arrives, so memory is
 * bounded by the batches in flight, not by the fleet. A failed batch records nothing: its devices keep
 * their last data and age into "stale", the others are recorded; the error is the source's status
 * (`fleet`, /readyz).
 */
export interface PrometheusSource {
  readonly name: "prometheus";
  /** One full cycle; resolves with what it did (never rejects). */
  cycle(): Promise<CycleResult>;
  /** Whether this source feeds the device (configured `via: prometheus`, or discovered by it). */
  owns(device: string): boolean;
  /** The label values the device is known by in Prometheus (the one seen last, else the candidates). */
  labelValues(device: string): string[];
  /** Its devices' history, read from Prometheus with query_range. */
  readonly history: HistoryReader;
  start(): void;
  stop(): Promise<void>;
}

export interface CycleResult {
  ok: boolean;
  error: string | null;
  /** Devices recorded this cycle (a device whose scrape is not newer than its last record is skipped). */
  recorded: number;
  unchanged: number;
  changes: number;
  /** Series read across all queries. */
  series: number;
  batches: number;
  failedBatches: number;
  /** Devices of the failed batches: they keep their last data. */
  failedDevices: string[];
}

export interface PrometheusSourceDeps {
  config: PrometheusSourceConfig;
  /** Configured devices `via: prometheus`; read each cycle (an inventory refresh replaces the list). */
  devices: () => readonly DeviceConfig[];
  api: PrometheusApi;
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics?: OpsMetrics;
}

const NAME = "prometheus";
const COLLECTORS = new Set(ALL_SNMP_COLLECTORS);

/** A sink that also counts the series it was given. */
function counted<T extends SeriesSink>(sink: T): T & { series: number } {
  const out = Object.assign(sink, { series: 0 });
  const add = sink.add.bind(sink);
  out.add = (labels, value) => {
    out.series++;
    add(labels, value);
  };
  return out;
}
/** Label values per batch, in characters: a batch query stays a few KiB (sent as a POST form). */
const BATCH_CHARS = 16_000;

export function createPrometheusSource(deps: PrometheusSourceDeps): PrometheusSource {
  const { config, api, store, clock, logger } = deps;
  const repo = createStateRepo(store);
  const columns = new Map<string, MibColumn>(MIB_COLUMNS.map((c) => [c.name, c]));
  const intervalMs = parseDuration(config.interval) ?? 60_000;
  const matchers = config.matchers.trim();
  const lastPolled = store.db.prepare("SELECT last_polled_at FROM device_state WHERE name = ?").pluck();
  const configured = (name: string): string[] | undefined => {
    const d = deps.devices().find((x) => x.name === name);
    return d && candidates(d);
  };
  /** Device → the label value its series carried last; discovered devices are added here. */
  const seen = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<CycleResult> | undefined;
  const ifIndexByName = store.db
    .prepare("SELECT if_index FROM interface_state WHERE device = ? AND name = ?")
    .pluck();

  async function timed<T>(query: string, run: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      const out = await run();
      deps.metrics?.sourceQueries.inc({ source: NAME, query, outcome: "ok" });
      return out;
    } catch (err) {
      deps.metrics?.sourceQueries.inc({ source: NAME, query, outcome: "error" });
      throw err;
    } finally {
      deps.metrics?.sourceQuerySeconds.observe({ source: NAME, query }, (performance.now() - t0) / 1000);
    }
  }

  /** Configured devices, then those the discover query adds (registered in the cache). */
  async function targets(): Promise<BatchTarget[]> {
    const out: BatchTarget[] = deps.devices().map((d) => ({ name: d.name, values: candidates(d) }));
    if (!config.discover) return out;
    const discovered = await timed("discover", () =>
      api.queryInto(config.discover!, () => createDiscoverySink(config)),
    );
    const known = new Set(out.flatMap((t) => t.values));
    const registrations: DeviceRegistration[] = [];
    for (const d of discovered.devices.values()) {
      if (known.has(d.value)) continue;
      known.add(d.value);
      const name = d.value.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^[^A-Za-z0-9]+/, "");
      seen.set(name, d.value);
      out.push({ name, values: [d.value] });
      registrations.push({ name, host: d.value, site: d.site, tags: d.tags, pollIntervalMs: intervalMs });
    }
    if (registrations.length > 0) repo.registerDevices(registrations);
    return out;
  }

  /**
   * One batch: query, rebuild, then record its devices in one transaction — each device still whole
   * or not at all (a nested savepoint), one commit per batch instead of one per device.
   * Throws only when the query fails.
   */
  async function runBatch(batch: readonly BatchTarget[], result: CycleResult): Promise<void> {
    const promql = batchQuery(batch, config.device_label, matchers);
    const read = await timed("batch", () =>
      api.queryInto(promql, () => counted(createBatchReader(columns, config.device_label))),
    );
    result.series += read.series;
    const observations: DeviceObservation[] = [];
    for (const t of batch) {
      const value = t.values.find((v) => read.scrapedAt.has(v)) ?? t.values[0]!;
      const previous = lastPolled.get(t.name) as number | null | undefined;
      if (previous === undefined) continue; // not in the cache (removed from the config)
      const at = read.scrapedAt.get(value);
      const up = read.up.get(value);
      let obs: DeviceObservation;
      if (at === undefined) {
        obs = unreachable(
          t.name,
          clock.now(),
          `Prometheus has no series with ${config.device_label}="${value}" (is it a scrape target?)`,
        );
      } else if (previous !== null && at <= previous) {
        seen.set(t.name, value);
        result.unchanged++;
        continue;
      } else if (up !== 1) {
        seen.set(t.name, value);
        obs = unreachable(
          t.name,
          at,
          `the exporter could not scrape it (up=${up} at ${new Date(at).toISOString()})`,
        );
      } else {
        seen.set(t.name, value);
        const series = read.take(value);
        const view = createMibView(`prometheus:${value}`, series.entries, { sorted: true });
        const collected = await collectWithClient(t.name, view, COLLECTORS, clock, {
          interfaces: series.interfaces,
        });
        obs = { ...collected, at };
      }
      observations.push(obs);
    }
    store.tx(() => {
      for (const obs of observations) {
        try {
          const recorded = recordPoll(store, repo, obs);
          result.recorded++;
          result.changes += recorded.changeIds.length;
        } catch (err) {
          logger.error({ err, device: obs.device }, "Prometheus source: recording a device failed");
        }
      }
    });
  }

  async function runCycle(): Promise<CycleResult> {
    const result: CycleResult = {
      ok: false,
      error: null,
      recorded: 0,
      unchanged: 0,
      changes: 0,
      series: 0,
      batches: 0,
      failedBatches: 0,
      failedDevices: [],
    };
    let all: BatchTarget[];
    try {
      all = await targets();
    } catch (err) {
      return failed(result, (err as Error).message, 0);
    }
    const batches = splitBatches(all, { devices: config.batch_size, chars: BATCH_CHARS });
    result.batches = batches.length;
    const limiter = createLimiter(config.batches_in_flight);
    let firstError: string | undefined;
    await Promise.all(
      batches.map((batch) =>
        limiter.run(async () => {
          try {
            await runBatch(batch, result);
          } catch (err) {
            firstError ??= (err as Error).message;
            result.failedBatches++;
            result.failedDevices.push(...batch.map((t) => t.name));
          }
        }),
      ),
    );
    if (firstError !== undefined) {
      const n = result.failedDevices.length;
      const names = result.failedDevices.slice(0, 5).join(", ") + (n > 5 ? `, … ${n - 5} more` : "");
      const error =
        result.failedBatches === batches.length
          ? firstError
          : `${result.failedBatches} of ${batches.length} batches failed, ${n} devices kept their last data (${names}): ${firstError}`;
      return failed(result, error, all.length);
    }
    result.ok = true;
    recordSourceStatus(store, { name: NAME, ok: true, error: null, at: clock.now(), devices: all.length });
    return result;
  }

  function failed(result: CycleResult, error: string, devices: number): CycleResult {
    result.error = error;
    recordSourceStatus(store, { name: NAME, ok: false, error, at: clock.now(), devices });
    logger.warn({ err: error }, "Prometheus source cycle failed; the failed devices keep their last data");
    return result;
  }

  function labelValues(device: string): string[] {
    const v = seen.get(device);
    return v !== undefined ? [v] : (configured(device) ?? [device]);
  }

  const source: PrometheusSource = {
    name: NAME,
    cycle() {
      if (!running) running = runCycle().finally(() => (running = undefined));
      return running;
    },
    owns(device) {
      return seen.has(device) || configured(device) !== undefined;
    },
    labelValues,
    history: createPrometheusHistory({
      api,
      deviceLabel: config.device_label,
      matchers,
      labelValues,
      ifIndexOf(device, port) {
        const m = /^ifIndex (\d+)$/.exec(port);
        if (m) return Number(m[1]);
        const found = ifIndexByName.get(device, port) as number | undefined;
        return found;
      },
      rateWindowMs: parseDuration(config.rate_window) ?? 120_000,
    }),
    start() {
      if (timer) return;
      void source.cycle();
      timer = setInterval(() => void source.cycle(), intervalMs);
      timer.unref?.();
      logger.info({ url: api.url, intervalMs, devices: deps.devices().length }, "Prometheus source started");
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
  return source;
}

/** The label values a configured device may carry in Prometheus: its name, host or host:port. */
function candidates(d: DeviceConfig): string[] {
  return [...new Set([d.name, d.host, `${d.host}:${d.snmp?.port ?? 161}`])];
}

function unreachable(device: string, at: number, message: string): DeviceObservation {
  return { device, at, errors: [{ collector: "prometheus", message }], reachable: false };
}
