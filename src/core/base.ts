import { actions as allActions, commands as allCommands } from "../../commands/index.js";
import type { BaseServiceKey, Command, Services } from "../../commands/services.js";
import { reply, text } from "../chat/reply.js";
import { createRouter, type Router } from "../chat/router.js";
import type { Config } from "../config/schema.js";
import { type Clock, systemClock } from "../lib/clock.js";
import type { Logger } from "../lib/logger.js";
import { Redactor } from "../lib/redact.js";
import { createLazySshRunner } from "../lib/ssh/lazy-runner.js";
import type { PooledSshRunner } from "../lib/ssh/runner.js";
import { setDisplayTimezone } from "../lib/time-format.js";
import { weakSecretWarnings } from "../lib/weak-secrets.js";
import { createFleetQueries } from "../management/fleet-queries.js";
import type { FleetQueries } from "../management/fleet-query-types.js";
import { createInventory, type InventoryService } from "../management/inventory/service.js";
import { sourcesFromConfig } from "../management/inventory/sources.js";
import { registrationsFromConfig } from "../management/schedule.js";
import { createStateRepo } from "../management/state-repo.js";
import type { Part } from "../runtime/lifecycle.js";
import { createAuditRepo } from "../store/audit-repo.js";
import { createStoreHealth, type StoreHealth } from "../store/faults.js";
import { createHeldAudit, type HeldAudit } from "../store/held-audit.js";
import { openStore, type Store } from "../store/store.js";
import type { CoreOptions } from "./options.js";
import { configSecrets, configuredNames, inventorySecrets } from "./secrets.js";

/**
 * The part of a core every command can use at once: the store, the device list (YAML merged with
 * inventory sources), redaction, the audit log, fleet answers from the cache. The subsystems
 * (src/core/subsystems.ts) are built on top: at once by `createCore`, on first use by the one-shot
 * core of `opsbot ask`.
 */
export interface CoreBase {
  options: CoreOptions;
  store: Store;
  /** The desired device list: the YAML's devices merged with the sources' kept lists (kept current). */
  config: Config;
  clock: Clock;
  logger: Logger;
  redactor: Redactor;
  storeHealth: StoreHealth;
  audit: HeldAudit;
  ssh: PooledSshRunner;
  fleet: FleetQueries;
  inventory: InventoryService;
  commands: readonly Command[];
  /** Registers the configured devices in the cache (the owner's device sync). */
  syncDevices(): void;
  /** What the App Home shows changed (runs, approvals, alerts). */
  stateListeners: Set<() => void>;
  stateChanged(): void;
  /** Called after an inventory refresh changed the device list; the subsystems hook in here. */
  onDevicesChanged?: () => void;
}

export function createCoreBase(options: CoreOptions): CoreBase {
  const store = options.store ?? openStore(options.dbPath);
  setDisplayTimezone(options.config.timezone);
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  const inventory = createInventory({
    config: options.config,
    sources: options.inventorySources ?? sourcesFromConfig(options.config, { logger }),
    store,
    clock,
    logger,
    chat: options.chat,
  });
  // Everything below sees the desired device list: the YAML's devices merged with the sources' kept lists.
  const config: Config = { ...options.config, devices: inventory.current().devices };
  const secrets = [
    ...configSecrets(config),
    ...inventorySecrets(config).map((value) => ({ key: "an inventory profile or the NetBox token", value })),
    ...(options.secrets ?? []).map((value) => ({ key: "the Slack settings (.env)", value })),
  ];
  const names = configuredNames(config);
  for (const warning of weakSecretWarnings(secrets, names)) logger.warn(warning);
  const redactor = new Redactor(
    secrets.map((s) => s.value),
    names,
  );
  const storeHealth = createStoreHealth(() => clock.now());
  reportStoreHealth(storeHealth, options);
  // Audit rows the store refuses (disk full, lock, I/O) wait in memory and are retried.
  const audit = createHeldAudit(createAuditRepo(store), { health: storeHealth, logger });
  const ssh = createLazySshRunner({ logger, clock });
  const fleet = createFleetQueries({ store, clock, baselines: config.firmware_baselines });
  // Only the owner syncs the cache's device list (`run.syncDevices`), never from a missing config.
  const syncDevices = () => {
    const removed = createStateRepo(store).syncDevices(registrationsFromConfig(config), clock.now());
    if (removed.length > 0) logger.warn({ removed }, "devices no longer in the config are marked removed");
  };
  // Without run options (tests, benches) the cache knows every configured device at once, as before.
  if (!options.run) syncDevices();
  const stateListeners = new Set<() => void>();
  const base: CoreBase = {
    options,
    store,
    config,
    clock,
    logger,
    redactor,
    storeHealth,
    audit,
    ssh,
    fleet,
    inventory,
    commands: options.commands ?? allCommands,
    syncDevices,
    stateListeners,
    stateChanged: () => {
      for (const l of stateListeners) l();
    },
  };
  // A refresh that changed the list: every reader of config.devices sees the new one.
  inventory.onChange((devices) => {
    config.devices = devices;
    for (const secret of configSecrets(config)) redactor.add(secret.value);
    redactor.keep(configuredNames(config));
    if (base.onDevicesChanged) base.onDevicesChanged();
    else syncDevices();
  });
  options.run?.adapter?.watchStore?.(storeHealth);
  return base;
}

/** The services of the base, for a `Services` object. */
export function baseServices(base: CoreBase): Pick<Services, BaseServiceKey> {
  const { config, clock, logger, audit, redactor, commands, fleet, inventory } = base;
  return { config, clock, logger, audit, redactor, commands, fleet, inventory };
}

/** The one command pipeline over `services`; `prepare` builds services a handler needs first. */
export function coreRouter(
  base: CoreBase,
  services: Services,
  prepare?: (uses: readonly string[] | undefined) => Promise<void>,
): Router<Services> {
  return createRouter({
    commands: base.commands,
    actions: base.options.actions ?? allActions,
    services,
    deps: {
      audit: base.audit,
      clock: base.clock,
      logger: base.logger,
      redactor: base.redactor,
      access: base.options.config,
    },
    ...(prepare ? { prepare } : {}),
  });
}

/**
 * The base's lifecycle parts, in start order around where the subsystems' parts go: `head`, then the
 * subsystems' first parts, `inventory`, their last parts, then `tail` (control socket, chat).
 */
export function baseParts(
  base: CoreBase,
  serving: { services: () => Services; router: () => Router<Services> },
): { head: Part[]; inventory: Part; tail: Part[] } {
  const { store, audit, ssh, inventory } = base;
  const run = base.options.run;
  const collector = base.options.collector;
  const schedules = run?.schedules === true;
  return {
    head: [
      {
        name: "store",
        always: true,
        stop: () => {
          audit.close();
          if (store !== base.options.store) store.close();
        },
      },
      { name: "ssh", always: true, stop: () => ssh.close() },
      ...(collector?.close ? [{ name: "collector", always: true, stop: () => collector.close?.() }] : []),
      ...(run?.owner ? [run.owner] : []),
      ...(run?.adapter ? [{ name: "chat-outbox", process: true, stop: () => run.adapter!.flush() }] : []),
      ...(run?.syncDevices ? [{ name: "device-sync", start: base.syncDevices }] : []),
    ] as Part[],
    inventory: {
      name: "inventory",
      always: true,
      // Devices from NetBox/Ansible: refreshed now and on each source's schedule.
      start: () => {
        if (schedules) inventory.start();
      },
      stop: () => inventory.stop(),
    } as Part,
    tail: [
      ...(run?.control ? [run.control] : []),
      ...(run?.adapter
        ? [
            {
              name: "chat",
              process: true,
              start: async () => {
                // Slack's App Home: this core renders it and says when to re-render.
                if (run.adapter!.serveHome) {
                  const { homeView } = await import("../../commands/app-home.js");
                  const home = run.adapter!.serveHome((user) => homeView(user, serving.services()));
                  if (home) base.stateListeners.add(home.refresh);
                }
                await run.adapter!.start(run.adapterRouter ?? (serving.router() as Router));
              },
              stop: () => run.adapter!.stop(),
            },
          ]
        : []),
    ],
  };
}

/** Parts holding what exists from creation: stopped by stop() even when start() never ran. */
export const isAlways = (p: Part) => (p as { always?: boolean }).always === true;

/**
 * A store outage is said once, loudly — in the log and in the admin channel (`channels.admin`) — and
 * so is the recovery; the writers that hit it hold their data and retry meanwhile.
 */
function reportStoreHealth(
  health: StoreHealth,
  options: Pick<CoreOptions, "config" | "logger" | "chat">,
): void {
  const admin = options.config.channels.admin;
  health.onChange((state) => {
    const message = state.ok
      ? "The database takes writes again; held run output and journal entries are being written."
      : `Store unavailable: ${state.reason}. Runs are paused and their output is held in memory until it clears.`;
    if (state.ok) options.logger.info("store available again");
    else options.logger.error({ reason: state.reason }, "store unavailable");
    if (admin !== undefined)
      options.chat.post(admin, reply(text(message))).catch((err: unknown) => {
        options.logger.warn({ err }, "could not tell the admin channel about the store");
      });
  });
}
