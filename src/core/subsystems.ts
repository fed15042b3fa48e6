import type { Services, SubsystemServiceKey } from "../../commands/services.js";
import { parseDuration } from "../lib/clock.js";
import { createOpsMetrics, type OpsMetrics } from "../lib/ops/metrics.js";
import { sshTargetFor } from "../lib/ssh/target.js";
import { createAlertmanager } from "../management/alertmanager/alertmanager.js";
import { noAlertmanager } from "../management/alertmanager/service.js";
import { renderAmFiring } from "../management/alertmanager/summary.js";
import { alertChartsFrom } from "../management/alerts/alert-chart.js";
import { createAlertService, type ScheduledAlertService } from "../management/alerts/service.js";
import { createBackupService, type ScheduledBackupService } from "../management/backups/backup-service.js";
import { createSshCollector, withSshCollector } from "../management/collectors/ssh/index.js";
import { createStoreHistory } from "../management/history/store-history.js";
import { createPoller, noPoller, type Poller } from "../management/poller.js";
import { authorizationFrom, createPrometheusApi } from "../management/sources/prometheus/prometheus-api.js";
import {
  createPrometheusSource,
  type PrometheusSource,
} from "../management/sources/prometheus/prometheus-source.js";
import { startPoller } from "../management/start-poller.js";
import { chatCheck, schedulerCheck, sourcesCheck, storeCheck } from "../ops/checks.js";
import { countingChat } from "../ops/counting-chat.js";
import { registerChatGauges, registerStoreGauges, stepDurationListener } from "../ops/gauges.js";
import { createOpsPart, type OpsPart } from "../ops/ops-part.js";
import { fleetViewFromManagement } from "../orchestration/management-port.js";
import { createRunReporter } from "../orchestration/presenters/run-reporter.js";
import { checkRequest } from "../orchestration/request-check.js";
import { createOrchestration, type OrchestrationService } from "../orchestration/service.js";
import type { Part } from "../runtime/lifecycle.js";
import type { CoreBase } from "./base.js";

/**
 * Management's poller, backups, history, alerts, Alertmanager and Prometheus source, orchestration
 * and its run reporter, opsbot's metrics and ops listener: everything a core builds on its base.
 * `createCore` builds them at once; the one-shot core of `opsbot ask` loads this module and builds
 * them before the first command that uses one (most of the bundle, so `ask help` never loads it).
 */
export interface Subsystems {
  services: Pick<Services, SubsystemServiceKey>;
  poller?: Poller;
  backups: ScheduledBackupService;
  orchestration: OrchestrationService;
  alerts: ScheduledAlertService;
  fleetSources: PrometheusSource[];
  alertmanager?: ReturnType<typeof createAlertmanager>;
  metrics: OpsMetrics;
  ops: OpsPart;
  /** Lifecycle parts that go before the base's `inventory` part, and after it. */
  parts: { beforeInventory: Part[]; afterInventory: Part[] };
  /** Closes at once (Core.close). */
  close(): void;
}

export function createSubsystems(base: CoreBase): Subsystems {
  const { options, store, config, clock, logger, redactor, storeHealth, ssh, fleet } = base;
  const metrics = options.metrics ?? createOpsMetrics({ defaultMetrics: false });
  const ops = createOpsPart({ config: config.ops, metrics, logger });
  const backups = createBackupService({ ssh, store, clock, logger, config: config, redactor });
  const fleetSources = createFleetSources(base, metrics);
  // A device the Prometheus source feeds reads its history there (query_range), the rest from the store.
  const { series, history } = createStoreHistory({
    store,
    clock,
    fleet,
    config,
    readerFor: (device) => fleetSources.find((s) => s.owns(device))?.history,
  });
  const poller = options.collector
    ? createPoller({
        // Devices with `ssh.collect` also report drive health over SSH, merged into one observation.
        collector: withSshCollector(options.collector, createSshCollector({ ssh, clock, logger }), clock),
        store,
        clock,
        logger,
        config: config,
        syncDevices: false,
        series,
        health: storeHealth,
        onPolled: (o) => {
          const outcome = !o.reachable ? "unreachable" : o.error ? "partial" : "ok";
          metrics.polls.inc({ outcome });
          metrics.pollSeconds.observe({ outcome }, o.durationMs / 1000);
        },
      })
    : undefined;
  const devices = new Map(config.devices.map((d) => [d.name, d]));
  const orchestration = createOrchestration({
    config: config,
    store,
    clock,
    logger,
    chat: options.chat,
    redactor,
    ssh,
    sshTargetFor: (name) => {
      const device = devices.get(name);
      return device?.ssh ? sshTargetFor(device) : undefined;
    },
    // Gates read the device cache through orchestration's narrow port, never a device.
    fleet: fleetViewFromManagement(fleet),
  });
  // Subscribed before orchestration starts, so runs recovered after a restart are reported too.
  const runReporter = createRunReporter({
    orchestration,
    chat: options.chat,
    clock,
    logger,
    ...(options.reporter ? { options: options.reporter } : {}),
  });
  orchestration.subscribe((ev) => {
    if (ev.type === "run" || ev.type === "approval") base.stateChanged();
  });
  orchestration.subscribe(stepDurationListener(metrics));
  const am = options.config.alertmanager
    ? createAlertmanager({
        config: { ...options.config, alertmanager: options.config.alertmanager },
        store,
        chat: options.chat,
        clock,
        logger: options.logger.child({ component: "alertmanager" }),
        metrics,
        ...(options.env ? { env: options.env } : {}),
        // A suggested runbook is checked by orchestration's own `run` checks whenever its message renders.
        checkRun: (runbook, params) => checkRequest(orchestration, runbook, params),
      })
    : undefined;
  const alerts = createAlertService({
    store,
    clock,
    chat: countingChat(options.chat, metrics.alertDeliveries),
    config: config,
    logger,
    redactor,
    charts: alertChartsFrom(history),
    onChange: base.stateChanged,
    health: storeHealth,
    digestSections: () => {
      const firing = am?.service.firing(AM_DIGEST_ROWS);
      return firing ? renderAmFiring(firing, clock.now()) : [];
    },
  });
  // An inventory refresh changed the device list (config.devices already holds the new one).
  base.onDevicesChanged = () => {
    if (poller) poller.reload();
    else base.syncDevices();
    backups.reload();
  };
  if (am) ops.addRoutes([am.webhook.route]);
  registerStoreGauges(metrics, { store, fleet, clock });
  const adapter = options.run?.adapter;
  if (adapter?.outboxStats) registerChatGauges(metrics, () => adapter.outboxStats!());
  ops.addChecks([
    chatCheck(
      options.chatConnection ??
        (adapter?.connection
          ? () => adapter.connection!()
          : () => ({ connected: true, detail: "console chat" })),
    ),
    storeCheck(store, clock, storeHealth),
    schedulerCheck(poller),
    sourcesCheck(store),
  ]);
  const run = options.run;
  const schedules = run?.schedules === true;
  const graceMs = parseDuration(config.orchestration.shutdown_grace) ?? 30_000;
  const always = <P extends Part>(p: P) => ({ ...p, always: true });
  return {
    services: {
      history,
      poller: poller ?? noPoller,
      backups,
      orchestration,
      runReporter,
      alerts,
      alertmanager: am?.service ?? noAlertmanager(),
    },
    ...(poller ? { poller } : {}),
    backups,
    orchestration,
    alerts,
    fleetSources,
    ...(am ? { alertmanager: am } : {}),
    metrics,
    ops,
    parts: {
      beforeInventory: [
        always({
          name: "reporter",
          // Runs that ended during the stop get their last message update (bounded: rate limits may delay it).
          stop: async () => {
            if (run) await settleWithin(runReporter.idle(), REPORTER_SETTLE_MS);
            runReporter.close();
          },
        }),
        always({
          name: "orchestration",
          start: () => {
            if (schedules) orchestration.start();
          },
          stop: async () => {
            await orchestration.drain(graceMs);
          },
        }),
        always({
          name: "poller",
          start: async () => {
            if (schedules && poller)
              await startPoller(poller, logger, { initialPoll: run?.initialPoll ?? "background" });
          },
          stop: () => poller?.stop(),
        }),
        always({
          name: "backups",
          start: () => {
            if (schedules) backups.start();
          },
          stop: () => backups.stop(),
        }),
        always({
          name: "alerts",
          start: () => {
            if (schedules) alerts.start();
          },
          stop: () => alerts.stop(),
        }),
      ],
      afterInventory: [
        always({
          name: "fleet-sources",
          // Prometheus: like the poller, only where schedules run (the lease-holding owner).
          start: () => {
            if (schedules) for (const source of fleetSources) source.start();
          },
          stop: async () => {
            await Promise.all(fleetSources.map((s) => s.stop()));
          },
        }),
        ...(am
          ? [
              always({
                name: "alertmanager-silences",
                // An expired silence updates its group's message: only the owner (schedules) watches.
                start: () => {
                  if (schedules) am.silenceSync.start(am.syncIntervalMs);
                },
                stop: () => am.silenceSync.stop(),
              }),
            ]
          : []),
      ],
    },
    close: () => {
      void ops.stop();
      runReporter.close();
      orchestration.stop();
      for (const s of fleetSources) void s.stop();
      void alerts.stop();
      void poller?.stop();
      void backups.stop();
      void am?.silenceSync.stop();
    },
  };
}

/** The Prometheus fleet source, when `sources.prometheus` is configured. */
function createFleetSources(base: CoreBase, metrics: OpsMetrics): PrometheusSource[] {
  const cfg = base.config.sources.prometheus;
  if (!cfg) return [];
  const api = createPrometheusApi({
    url: cfg.url,
    timeoutMs: parseDuration(cfg.timeout) ?? 30_000,
    ...optional("authorization", authorizationFrom(cfg, base.options.env ?? process.env)),
  });
  return [
    createPrometheusSource({
      config: cfg,
      // The config object's device list is replaced by an inventory refresh: read it each cycle.
      devices: () => base.config.devices.filter((d) => d.via === "prometheus"),
      api,
      store: base.store,
      clock: base.clock,
      logger: base.logger.child({ source: "prometheus" }),
      metrics,
    }),
  ];
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** How long a stop waits for the run reporter's last message updates. */
const REPORTER_SETTLE_MS = 5000;
/** Alertmanager groups listed in the daily digest (the count says how many fire in all). */
const AM_DIGEST_ROWS = 20;

async function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => {}), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
