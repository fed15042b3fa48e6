import type { PrometheusSourceConfig } from "../../../config/ops-schema.js";
import type { DeviceConfig } from "../../../config/schema.js";
import type { Clock } from "../../../lib/clock.js";
import { parseDuration } from "../../../lib/clock.js";
import type { Logger } from "../../../lib/logger.js";
import type { OpsMetrics } from "../../../lib/ops/metrics.js";
import type { Store } from "../../../store/store.js";
import { ALL_SNMP_COLLECTORS, collectWithClient } from "../../collectors/snmp/snmp-collector.js";
import type { DeviceObservation } from "../../observations.js";
import { recordPoll } from "../../record-poll.js";
import { createStateRepo, type DeviceRegistration } from "../../state-repo.js";
import { recordSourceStatus } from "../source-status.js";
import { mibEntriesByDevice, selectorFor } from "./fleet-snapshot.js";
import { MIB_COLUMNS, type MibColumn } from "./mib-columns.js";
import { createMibView, type MibEntry } from "./mib-view.js";
import type { PrometheusApi, PromSample } from "./prometheus-api.js";

/**
 * Prometheus as a fleet data source. Each cycle reads the whole fleet with a few bulk instant queries
 * (up and its scrape timestamps, then one query per collector group), rebuilds every device's MIB view
 * from the series, runs the SNMP collectors over it, and records the observations through the same
 * diff → current state → change log path as the poller. A failed or partial cycle records nothing:
 * the last data stays, ages into "stale", and the error is the source's status (`fleet`, /readyz).
 */
export interface PrometheusSource {
  readonly name: "prometheus";
  /** One full cycle; resolves with what it did (never rejects). */
  cycle(): Promise<CycleResult>;
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
}

export interface PrometheusSourceDeps {
  config: PrometheusSourceConfig;
  /**
   * Devices `via: prometheus`, read at the start of every cycle: an inventory refresh (NetBox, Ansible)
   * or a reload that changes the desired list reaches the next cycle without rebuilding the source.
   */
  devices: () => readonly DeviceConfig[];
  api: PrometheusApi;
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics?: OpsMetrics;
}

const GROUPS = ["system", "interfaces", "entity", "drives"] as const;
const NAME = "prometheus";

export function createPrometheusSource(deps: PrometheusSourceDeps): PrometheusSource {
  const { config, api, store, clock, logger } = deps;
  const repo = createStateRepo(store);
  const columns = new Map<string, MibColumn>(MIB_COLUMNS.map((c) => [c.name, c]));
  const intervalMs = parseDuration(config.interval) ?? 60_000;
  const matchers = config.matchers.trim();
  const upSelector = `up${matchers === "" ? "" : `{${matchers}}`}`;
  const lastPolled = store.db.prepare("SELECT last_polled_at FROM device_state WHERE name = ?").pluck();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<CycleResult> | undefined;

  async function timed(query: string, promql: string): Promise<PromSample[]> {
    const t0 = performance.now();
    try {
      const out = await api.query(promql);
      deps.metrics?.sourceQueries.inc({ source: NAME, query, outcome: "ok" });
      return out;
    } catch (err) {
      deps.metrics?.sourceQueries.inc({ source: NAME, query, outcome: "error" });
      throw err;
    } finally {
      deps.metrics?.sourceQuerySeconds.observe({ source: NAME, query }, (performance.now() - t0) / 1000);
    }
  }

  /** Label value → device name: configured devices by name, host or host:port; discovered by value. */
  function deviceMap(
    configuredDevices: readonly DeviceConfig[],
    discovered: readonly PromSample[],
  ): Map<string, string> {
    const map = new Map<string, string>();
    const registrations: DeviceRegistration[] = [];
    for (const s of discovered) {
      const value = s.labels[config.device_label];
      if (value === undefined || map.has(value)) continue;
      const configured = configuredDevices.find((d) => matches(d, value));
      if (configured) {
        map.set(value, configured.name);
        continue;
      }
      const name = value.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^[^A-Za-z0-9]+/, "");
      map.set(value, name);
      registrations.push({
        name,
        host: value,
        site: config.site_label ? s.labels[config.site_label] : undefined,
        tags: config.tag_labels.map((l) => s.labels[l]).filter((t): t is string => !!t),
        pollIntervalMs: intervalMs,
      });
    }
    if (registrations.length > 0) repo.registerDevices(registrations);
    return map;
  }

  async function runCycle(): Promise<CycleResult> {
    const result: CycleResult = { ok: false, error: null, recorded: 0, unchanged: 0, changes: 0, series: 0 };
    const devices = deps.devices();
    let byDevice: Map<string, MibEntry[]>;
    let up: PromSample[];
    let scraped: PromSample[];
    let discovered: PromSample[];
    try {
      [up, scraped, discovered] = await Promise.all([
        timed("up", upSelector),
        timed("scrape_time", `timestamp(${upSelector})`),
        config.discover ? timed("discover", config.discover) : Promise.resolve([]),
      ]);
      byDevice = new Map();
      for (const group of GROUPS) {
        const names = MIB_COLUMNS.filter((c) => c.group === group).map((c) => c.name);
        const samples = await timed(group, selectorFor(names, matchers));
        result.series += samples.length;
        mibEntriesByDevice(samples, columns, config.device_label, byDevice);
      }
    } catch (err) {
      result.error = (err as Error).message;
      recordSourceStatus(store, { name: NAME, ok: false, error: result.error, at: clock.now(), devices: 0 });
      logger.warn({ err: result.error }, "Prometheus source cycle failed; keeping the last data");
      return result;
    }
    const upBy = new Map(up.map((s) => [s.labels[config.device_label], s.value]));
    const scrapedAt = new Map(
      scraped.map((s) => [s.labels[config.device_label], Math.round(s.value * 1000)]),
    );
    const map = deviceMap(devices, [
      ...devices.map((d) => ({ labels: { [config.device_label]: labelFor(d, upBy) }, value: 1, at: 0 })),
      ...discovered,
    ]);
    for (const [value, name] of map) {
      const at = scrapedAt.get(value);
      const previous = lastPolled.get(name) as number | null | undefined;
      if (previous === undefined) continue; // not in the cache (removed from the config)
      let obs: DeviceObservation;
      if (at === undefined) {
        obs = unreachable(
          name,
          clock.now(),
          `Prometheus has no series with ${config.device_label}="${value}" (is it a scrape target?)`,
        );
      } else if (previous !== null && at <= previous) {
        result.unchanged++;
        continue;
      } else if (upBy.get(value) !== 1) {
        obs = unreachable(
          name,
          at,
          `the exporter could not scrape it (up=${upBy.get(value)} at ${new Date(at).toISOString()})`,
        );
      } else {
        const view = createMibView(`prometheus:${value}`, byDevice.get(value) ?? []);
        obs = { ...(await collectWithClient(name, view, new Set(ALL_SNMP_COLLECTORS), clock)), at };
      }
      try {
        const recorded = recordPoll(store, repo, obs);
        result.recorded++;
        result.changes += recorded.changeIds.length;
      } catch (err) {
        logger.error({ err, device: name }, "Prometheus source: recording a device failed");
      }
    }
    result.ok = true;
    recordSourceStatus(store, { name: NAME, ok: true, error: null, at: clock.now(), devices: map.size });
    return result;
  }

  /** The label value a configured device is known by in Prometheus: its name, host or host:port. */
  function labelFor(d: DeviceConfig, upBy: Map<string | undefined, number>): string {
    for (const v of [d.name, d.host, `${d.host}:${d.snmp?.port ?? 161}`]) if (upBy.has(v)) return v;
    return d.name;
  }

  function matches(d: DeviceConfig, value: string): boolean {
    return value === d.name || value === d.host || value === `${d.host}:${d.snmp?.port ?? 161}`;
  }

  const source: PrometheusSource = {
    name: NAME,
    cycle() {
      if (!running) running = runCycle().finally(() => (running = undefined));
      return running;
    },
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

function unreachable(device: string, at: number, message: string): DeviceObservation {
  return { device, at, errors: [{ collector: "prometheus", message }], reachable: false };
}
