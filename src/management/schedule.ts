import type { Config } from "../config/schema.js";
import { parseDuration } from "../lib/clock.js";
import { cronProblem, DEFAULT_TIMEZONE, nextCronRuns, scheduleCron } from "../lib/cron.js";
import { ConfigError } from "../lib/errors.js";
import type { DeviceRegistration } from "./state-repo.js";

/** Starts a repeating job; the poller's only contact with cron, so tests can drive ticks by hand. */
export interface Scheduler {
  schedule(expression: string, tick: () => void): { stop(): void };
}

/** Schedules on croner (src/lib/cron.ts) in the configured time zone. */
export function createCronScheduler(timezone = DEFAULT_TIMEZONE): Scheduler {
  return { schedule: (expression, tick) => scheduleCron(expression, tick, { timezone }) };
}

/**
 * The typical gap between runs of a cron expression, in ms: the median of the next few gaps, so an
 * office-hours schedule ("0 9-17 * * 1-5") counts as hourly rather than as its overnight gap.
 * Answers flag data older than twice this as stale.
 */
export function scheduleIntervalMs(expression: string, timezone = DEFAULT_TIMEZONE): number {
  const runs = nextCronRuns(expression, 25, Date.now(), timezone);
  const gaps = runs.slice(1).map((t, i) => t - runs[i]!);
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)] ?? 300_000;
}

/** Checks every schedule in the config, naming the key of each bad one. */
export function validateSchedules(config: Pick<Config, "polling" | "devices">): void {
  const problems: string[] = [];
  const bad = cronProblem(config.polling.schedule);
  if (bad) problems.push(`polling.schedule: ${bad} (e.g. "*/5 * * * *")`);
  config.devices.forEach((d, i) => {
    const problem = d.poll_schedule === undefined ? undefined : cronProblem(d.poll_schedule);
    if (problem) problems.push(`devices[${i}].poll_schedule (${d.name}): ${problem}`);
  });
  if (problems.length > 0) throw new ConfigError("The polling schedule in the config is invalid.", problems);
}

/** The cache's view of each configured device, with the poll interval its schedule implies. */
export function registrationsFromConfig(
  config: Pick<Config, "polling" | "devices"> & Partial<Pick<Config, "sources" | "timezone">>,
): DeviceRegistration[] {
  validateSchedules(config);
  const intervals = new Map<string, number>();
  const intervalOf = (expr: string) => {
    let ms = intervals.get(expr);
    if (ms === undefined) {
      ms = scheduleIntervalMs(expr, config.timezone);
      intervals.set(expr, ms);
    }
    return ms;
  };
  return config.devices.map((d) => ({
    name: d.name,
    host: d.host,
    site: d.site,
    tags: d.tags,
    // A device read from Prometheus is as fresh as the source's cycle.
    pollIntervalMs:
      d.via === "prometheus" && config.sources?.prometheus
        ? (parseDuration(config.sources.prometheus.interval) ?? 60_000)
        : intervalOf(d.poll_schedule ?? config.polling.schedule),
  }));
}
