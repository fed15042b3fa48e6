import cron from "node-cron";
import type { Config } from "../config/schema.js";
import { parseDuration } from "../lib/clock.js";
import { ConfigError } from "../lib/errors.js";
import type { DeviceRegistration } from "./state-repo.js";

/** Starts a repeating job; the poller's only contact with node-cron, so tests can drive ticks by hand. */
export interface Scheduler {
  schedule(expression: string, tick: () => void): { stop(): void };
}

export const cronScheduler: Scheduler = {
  schedule(expression, tick) {
    const task = cron.schedule(expression, () => tick(), { name: `poll ${expression}` });
    return {
      stop() {
        void task.stop();
        void task.destroy();
      },
    };
  },
};

/**
 * The typical gap between runs of a cron expression, in ms: the median of the next few gaps, so an
 * office-hours schedule ("0 9-17 * * 1-5") counts as hourly rather than as its overnight gap.
 * Answers flag data older than twice this as stale.
 */
export function scheduleIntervalMs(expression: string): number {
  const task = cron.createTask(expression, () => {});
  try {
    const runs = task.getNextRuns(25).map((d) => d.getTime());
    const gaps = runs.slice(1).map((t, i) => t - runs[i]!);
    gaps.sort((a, b) => a - b);
    return gaps[Math.floor(gaps.length / 2)] ?? 300_000;
  } finally {
    void task.destroy();
  }
}

/** Checks every schedule in the config, naming the key of each bad one. */
export function validateSchedules(config: Pick<Config, "polling" | "devices">): void {
  const problems: string[] = [];
  if (!cron.validate(config.polling.schedule)) {
    problems.push(
      `polling.schedule: "${config.polling.schedule}" is not a cron expression (e.g. "*/5 * * * *")`,
    );
  }
  config.devices.forEach((d, i) => {
    if (d.poll_schedule !== undefined && !cron.validate(d.poll_schedule)) {
      problems.push(`devices[${i}].poll_schedule (${d.name}): "${d.poll_schedule}" is not a cron expression`);
    }
  });
  if (problems.length > 0) throw new ConfigError("The polling schedule in the config is invalid.", problems);
}

/** The cache's view of each configured device, with the poll interval its schedule implies. */
export function registrationsFromConfig(
  config: Pick<Config, "polling" | "devices"> & Partial<Pick<Config, "sources">>,
): DeviceRegistration[] {
  validateSchedules(config);
  const intervals = new Map<string, number>();
  const intervalOf = (expr: string) => {
    let ms = intervals.get(expr);
    if (ms === undefined) {
      ms = scheduleIntervalMs(expr);
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
