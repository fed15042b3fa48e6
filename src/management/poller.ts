import type { Config, DeviceConfig } from "../config/schema.js";
import type { Clock } from "../lib/clock.js";
import { NotFoundError, OpsbotError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import { isStoreFault, type StoreHealth } from "../store/faults.js";
import type { Store } from "../store/store.js";
import type { SeriesWriter } from "./history/series-store.js";
import { createLimiter } from "./limiter.js";
import type { DeviceObservation } from "./observations.js";
import { recordPoll } from "./record-poll.js";
import { createCronScheduler, registrationsFromConfig, type Scheduler } from "./schedule.js";
import { createStateRepo } from "./state-repo.js";

/** What the poller needs from collection: SNMP, SSH or both behind one call. */
export interface Collector {
  collect(device: DeviceConfig): Promise<DeviceObservation>;
}

export interface PollOutcome {
  device: string;
  /** False when the poll read nothing (no answer, or an answer refusing us such as bad SNMPv3 keys). */
  reachable: boolean;
  /** ok: everything read; partial: some collector failed; failed: answered, nothing read; unreachable. */
  status: "ok" | "partial" | "failed" | "unreachable";
  /** When the poll was recorded (the data's timestamp). */
  at: number;
  durationMs: number;
  /** Change-log rows this poll wrote. */
  changes: number;
  /** Collector errors (also on a reachable device, when some collector failed). */
  error: string | null;
}

/** What chat commands may do to the poller. */
export interface PollerControl {
  /** Polls the device now (joining a poll already running) and resolves when it is stored. */
  refresh(device: string): Promise<PollOutcome>;
}

/** For modes that run no poller: an on-demand poll says why it cannot happen here. */
export const noPoller: PollerControl = {
  refresh: () =>
    Promise.reject(
      new OpsbotError("UNAVAILABLE", "No poller runs in this opsbot, so devices cannot be polled on demand."),
    ),
};

export interface Poller extends PollerControl {
  /** Polls the given devices (default: all) once, within the concurrency bound. For `opsbot poll --once`. */
  pollAll(devices?: string[]): Promise<PollOutcome[]>;
  /** Schedules every device (or only the named ones) on its cron schedule, with jitter. */
  start(devices?: string[]): void;
  /** Stops scheduling, drops polls not yet started, and waits for the running ones. */
  stop(): Promise<void>;
  /** `scheduled`: started and not stopped (schedules armed). */
  stats(): { running: number; waiting: number; inFlight: number; scheduled: boolean; devices: number };
  /** Re-reads `config.devices` (an inventory refresh changed it): syncs the cache and, when scheduled, reschedules. */
  reload(): void;
}

export interface PollerOptions {
  collector: Collector;
  store: Store;
  clock: Clock;
  logger: Logger;
  config: Pick<Config, "polling" | "devices"> & Partial<Pick<Config, "sources" | "timezone">>;
  scheduler?: Scheduler;
  /** Called after every recorded poll (metrics). */
  onPolled?: (outcome: PollOutcome) => void;
  /**
   * Register the configured devices in the cache at creation (default true). The composition root
   * passes false: there only the owner syncs, and never from a missing config.
   */
  syncDevices?: boolean;
  /** Source of jitter, [0, 1). */
  random?: () => number;
  /** Time series (rates, temperatures, reachability), written in each poll's transaction. */
  series?: SeriesWriter;
  /** Told when a poll cannot be recorded (store fault) and when one is again; the next poll retries. */
  health?: StoreHealth;
}

/**
 * The poller: schedules polls, bounds how many run at once, keeps one poll per device at a time, and
 * records each poll in the device cache. Creating it registers the configured devices in the cache
 * (so answers know every device and its poll interval, even before its first poll), unless told not to.
 */
export function createPoller(options: PollerOptions): Poller {
  const { collector, store, clock, logger, config } = options;
  const scheduler = options.scheduler ?? createCronScheduler(config.timezone);
  const random = options.random ?? Math.random;
  const repo = createStateRepo(store);
  if (options.syncDevices !== false) repo.syncDevices(registrationsFromConfig(config), clock.now());

  // Devices `via: prometheus` get their data from the Prometheus source, never from this poller.
  let polled = config.devices.filter((d) => d.via !== "prometheus");
  let byName = new Map(polled.map((d) => [d.name.toLowerCase(), d]));
  let scheduled: { names: string[] | undefined } | undefined;
  const limiter = createLimiter(config.polling.concurrency);
  const inFlight = new Map<string, Promise<PollOutcome>>();
  const timers = new Set<NodeJS.Timeout>();
  let jobs: { stop(): void }[] = [];
  let stopped = false;

  const lookup = (name: string): DeviceConfig => {
    const device = byName.get(name.toLowerCase());
    if (!device) {
      const viaSource = config.devices.some((d) => d.name.toLowerCase() === name.toLowerCase());
      throw new NotFoundError(
        viaSource
          ? `${name} is read from Prometheus (via: prometheus), not polled by opsbot; its data refreshes every source cycle.`
          : `No device named "${name}" in the config.`,
      );
    }
    return device;
  };

  async function collect(device: DeviceConfig): Promise<DeviceObservation> {
    try {
      const obs = await collector.collect(device);
      // Answers age data against this clock, so the poll is stamped with it.
      return { ...obs, device: device.name, at: clock.now() };
    } catch (err) {
      return {
        device: device.name,
        at: clock.now(),
        errors: [{ collector: "poller", message: (err as Error).message ?? String(err) }],
        reachable: false,
      };
    }
  }

  async function pollOnce(device: DeviceConfig): Promise<PollOutcome> {
    const started = clock.now();
    const collected = await collect(device);
    const obs = { ...collected, durationMs: clock.now() - started };
    let recorded: ReturnType<typeof recordPoll>;
    try {
      recorded = recordPoll(store, repo, obs, options.series);
    } catch (err) {
      if (isStoreFault(err)) options.health?.fault(err, "poll");
      throw err;
    }
    options.health?.recovered("poll");
    const outcome: PollOutcome = {
      device: device.name,
      reachable: recorded.device.reachable === true,
      status: !obs.reachable
        ? "unreachable"
        : recorded.device.reachable !== true
          ? "failed"
          : recorded.device.lastError
            ? "partial"
            : "ok",
      at: obs.at,
      durationMs: clock.now() - started,
      changes: recorded.changeIds.length,
      error: recorded.device.lastError,
    };
    options.onPolled?.(outcome);
    if (!outcome.reachable) {
      logger.warn(
        { device: device.name, failures: recorded.device.consecutiveFailures, error: outcome.error },
        outcome.status === "failed" ? "device poll failed" : "device unreachable",
      );
    } else {
      logger.debug({ device: device.name, changes: outcome.changes, ms: outcome.durationMs }, "polled");
    }
    return outcome;
  }

  function poll(device: DeviceConfig, urgent: boolean): Promise<PollOutcome> {
    const running = inFlight.get(device.name);
    if (running) return running;
    if (stopped) return Promise.reject(new OpsbotError("UNAVAILABLE", "The poller is stopped."));
    const p = limiter.run(() => pollOnce(device), { urgent }).finally(() => inFlight.delete(device.name));
    inFlight.set(device.name, p);
    return p;
  }

  /** A scheduled poll: failures are logged, never thrown into the scheduler. */
  function scheduledPoll(device: DeviceConfig): void {
    poll(device, false).catch((err: unknown) => {
      if (!stopped) logger.error({ device: device.name, err }, "poll failed");
    });
  }

  function tick(devices: DeviceConfig[]): void {
    const jitter = config.polling.jitter_ms;
    for (const device of devices) {
      if (jitter <= 0) {
        scheduledPoll(device);
        continue;
      }
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          scheduledPoll(device);
        },
        Math.floor(random() * jitter),
      );
      timers.add(timer);
    }
  }

  return {
    refresh(name) {
      return poll(lookup(name), true);
    },

    async pollAll(names) {
      const devices = names ? names.map(lookup) : polled;
      return Promise.all(devices.map((d) => poll(d, false)));
    },

    start(names) {
      if (jobs.length > 0) return;
      stopped = false;
      scheduled = { names };
      const groups = new Map<string, DeviceConfig[]>();
      for (const d of names ? names.map(lookup) : polled) {
        const expr = d.poll_schedule ?? config.polling.schedule;
        groups.set(expr, [...(groups.get(expr) ?? []), d]);
      }
      jobs = [...groups].map(([expr, devices]) => scheduler.schedule(expr, () => tick(devices)));
      const count = [...groups.values()].reduce((n, g) => n + g.length, 0);
      logger.info({ devices: count, schedules: groups.size }, "poller started");
    },

    reload() {
      repo.syncDevices(registrationsFromConfig(config), clock.now());
      polled = config.devices.filter((d) => d.via !== "prometheus");
      byName = new Map(polled.map((d) => [d.name.toLowerCase(), d]));
      if (!scheduled || jobs.length === 0) return;
      for (const job of jobs) job.stop();
      jobs = [];
      const names = scheduled.names?.filter((n) => byName.has(n.toLowerCase()));
      this.start(names);
    },

    async stop() {
      stopped = true;
      scheduled = undefined;
      for (const job of jobs) job.stop();
      jobs = [];
      for (const t of timers) clearTimeout(t);
      timers.clear();
      limiter.clear("The poller stopped before this poll started.");
      await Promise.allSettled([...inFlight.values()]);
    },

    stats() {
      return {
        running: limiter.active,
        waiting: limiter.waiting,
        inFlight: inFlight.size,
        scheduled: jobs.length > 0,
        devices: polled.length,
      };
    },
  };
}
