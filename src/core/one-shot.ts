import { BASE_SERVICES, type Services, type SubsystemServiceKey } from "../../commands/services.js";
import type { Router } from "../chat/router.js";
import { OpsbotError } from "../lib/errors.js";
import { createLifecycle } from "../runtime/lifecycle.js";
import type { Store } from "../store/store.js";
import { baseParts, baseServices, coreRouter, createCoreBase, isAlways } from "./base.js";
import type { CoreOptions, RunOptions } from "./options.js";
import type { Subsystems } from "./subsystems.js";

/** A core for one command (`opsbot ask`): answers, and stops; nothing scheduled. */
export interface OneShotCore {
  services: Services;
  router: Router<Services>;
  store: Store;
  start(): Promise<void>;
  /** Same graceful stop as Core.stop: a run this call started finishes within the shutdown grace. */
  stop(): Promise<void>;
  /** Whether a command needed the subsystems and they were built. */
  subsystemsBuilt(): boolean;
}

const SUBSYSTEM_SERVICES = Object.keys({
  history: true,
  poller: true,
  backups: true,
  orchestration: true,
  runReporter: true,
  alerts: true,
  alertmanager: true,
} satisfies Record<SubsystemServiceKey, true>) as SubsystemServiceKey[];
const BASE = new Set<string>(BASE_SERVICES);

/**
 * The same core `createCore` builds (src/main.ts), for a one-shot command: the base at once, the
 * subsystems (src/core/subsystems.ts, most of opsbot's code) loaded and built just before the first
 * handler that `uses` one of their services — every command without a `uses` list, and every button.
 * `opsbot ask help` or `ask links down` then loads and builds neither the engine, the alert service,
 * the backup scheduler nor the Prometheus source. Their lifecycle parts join at their usual places,
 * so stop() drains a run the command started exactly as Core.stop does.
 */
export function createOneShotCore(options: CoreOptions & { run?: OneShotRun }): OneShotCore {
  const base = createCoreBase(options);
  let subsystems: Subsystems | undefined;
  let loading: Promise<Subsystems> | undefined;
  const services = baseServices(base) as Services;
  for (const key of SUBSYSTEM_SERVICES)
    Object.defineProperty(services, key, {
      enumerable: true,
      get() {
        // A handler that declares `uses` sees only those services (typed): this is a backstop.
        if (!subsystems)
          throw new OpsbotError("INTERNAL", `services.${key} was used before the subsystems were built`);
        return subsystems.services[key];
      },
    });
  const router = coreRouter(base, services, async (uses) => {
    if (uses === undefined || uses.some((k) => !BASE.has(k))) await load();
  });
  const { head, inventory, tail } = baseParts(base, { services: () => services, router: () => router });
  const lifecycle = createLifecycle(base.logger, [...head, inventory, ...tail], isAlways);
  const load = () => {
    loading ??= import("./subsystems.js").then(({ createSubsystems }) => {
      const built = createSubsystems(base);
      for (const part of built.parts.beforeInventory) lifecycle.add(part, { before: "inventory" });
      let after = "inventory";
      for (const part of built.parts.afterInventory) {
        lifecycle.add(part, { after });
        after = part.name;
      }
      subsystems = built;
      return built;
    });
    return loading;
  };
  return {
    services,
    router,
    store: base.store,
    start: () => lifecycle.start(),
    async stop() {
      await loading?.catch(() => {});
      await lifecycle.stop();
    },
    subsystemsBuilt: () => subsystems !== undefined,
  };
}

/** A one-shot core runs no schedules, pruning or ops listener. */
type OneShotRun = Omit<RunOptions, "schedules" | "prune" | "ops" | "initialPoll"> & { schedules: false };
