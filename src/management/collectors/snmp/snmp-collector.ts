import type snmp from "net-snmp";
import type { DeviceConfig } from "../../../config/schema.js";
import type { Clock } from "../../../lib/clock.js";
import type { Logger } from "../../../lib/logger.js";
import type { CollectorError, DeviceObservation } from "../../observations.js";
import { createAgentLimiter } from "./agent-limiter.js";
import { collectDrives } from "./collect-drives.js";
import { CHASSIS_PROBE_OIDS, collectEntity } from "./collect-entity.js";
import { collectInterfaces } from "./collect-interfaces.js";
import { collectSystem } from "./collect-system.js";
import { installFastOidReader } from "./fast-oid-reader.js";
import { IF_NUMBER } from "./oids.js";
import { createSharedUdp, type SharedUdp } from "./shared-udp.js";
import { openSnmpClient, type SnmpClient } from "./snmp-client.js";
import { SnmpRequestError } from "./snmp-errors.js";
import { int } from "./values.js";

export type SnmpCollectorName = "system" | "interfaces" | "entity" | "drives";

export const ALL_SNMP_COLLECTORS: readonly SnmpCollectorName[] = ["system", "interfaces", "entity", "drives"];

export interface CollectOptions {
  /** Collectors to run; default: the device's `snmp.collect`, else all. `system` always runs. */
  collectors?: readonly SnmpCollectorName[];
  /**
   * Wall-clock bound on the whole poll (default 120 s). Each request is already bounded by the
   * device's timeout × retries; this bounds an agent that answers every request, slowly, forever.
   */
  deadlineMs?: number;
}

export interface SnmpCollector {
  /**
   * Polls one device. Never rejects: every failure is a CollectorError in the observation, and
   * `reachable` is false only when the agent never answered at all.
   */
  collect(device: DeviceConfig, options?: CollectOptions): Promise<DeviceObservation>;
  /** Aborts polls in flight (their requests fail) and refuses new ones. */
  close(): void;
}

export interface SnmpCollectorDeps {
  logger: Logger;
  clock: Clock;
  /** Requests in flight per agent (host:port), across all polls. Default 4. */
  maxOutstandingPerAgent?: number;
  /** The sockets every session shares (default: one per address family, closed with the collector). */
  sharedUdp?: SharedUdp;
}

const DEFAULT_MAX_OUTSTANDING_PER_AGENT = 4;
const DEFAULT_DEADLINE_MS = 120_000;

export function createSnmpCollector(deps: SnmpCollectorDeps): SnmpCollector {
  installFastOidReader();
  const limiter = createAgentLimiter(deps.maxOutstandingPerAgent ?? DEFAULT_MAX_OUTSTANDING_PER_AGENT);
  const sharedUdp = deps.sharedUdp ?? createSharedUdp();
  const open = new Set<SnmpClient>();
  let closed = false;

  async function collect(device: DeviceConfig, options: CollectOptions = {}): Promise<DeviceObservation> {
    const fail = (collector: string, message: string): DeviceObservation => ({
      device: device.name,
      at: deps.clock.now(),
      errors: [{ collector, message }],
      reachable: false,
    });
    if (closed) return fail("snmp", "the SNMP collector is shut down");
    if (!device.snmp) return fail("snmp", `device ${device.name} has no snmp section in the config`);

    const wanted = new Set(options.collectors ?? device.snmp.collect ?? ALL_SNMP_COLLECTORS);
    let client: SnmpClient;
    try {
      client = openSnmpClient(device, {
        limiter,
        logger: deps.logger,
        dgramModule: sharedUdp.dgramModule,
      });
    } catch (err) {
      return fail("snmp", errorText(err));
    }
    open.add(client);
    const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    const deadline = setTimeout(
      () => client.close(`poll exceeded its ${deadlineMs / 1000} s deadline`),
      deadlineMs,
    );
    try {
      return await collectWithClient(device.name, client, wanted, deps.clock);
    } finally {
      clearTimeout(deadline);
      open.delete(client);
      client.close();
    }
  }

  return {
    collect,
    close(): void {
      closed = true;
      for (const client of open) client.close("the SNMP collector is shutting down");
      open.clear();
      if (!deps.sharedUdp) sharedUdp.close();
    },
  };
}

/**
 * Runs the wanted collectors over one SNMP client (an agent's session, or any other view of the same
 * MIB objects, such as the Prometheus source's view of snmp_exporter's metrics).
 */
export async function collectWithClient(
  device: string,
  client: SnmpClient,
  wanted: ReadonlySet<SnmpCollectorName>,
  clock: Clock,
): Promise<DeviceObservation> {
  const observation: DeviceObservation = { device, at: 0, errors: [], reachable: false };
  const errors: CollectorError[] = observation.errors;
  let answered = false;
  const failed = (collector: string, err: unknown): void => {
    if (!(err instanceof SnmpRequestError && err.noAnswer)) answered = true;
    errors.push({ collector, message: errorText(err) });
  };

  // system first and alone: sysUpTime anchors ifLastChange and counter resets, sysDescr feeds the
  // entity fallback, and when it times out (or v3 credentials are refused) the rest would only
  // fail the same way, one timeout after another. The chassis row rides along in the same GET.
  // ifNumber rides along too: it sizes the interface walk's last request.
  let chassisProbe: snmp.Varbind[] | undefined;
  let ifNumber: number | undefined;
  try {
    const probe = wanted.has("entity") ? CHASSIS_PROBE_OIDS : [];
    const first = await collectSystemWithFallback(
      client,
      wanted.has("interfaces") ? [...probe, IF_NUMBER] : probe,
    );
    observation.system = first.system;
    chassisProbe = first.extra.slice(0, probe.length);
    if (first.extra.length > probe.length) ifNumber = int(first.extra[probe.length]?.value);
    answered = true;
  } catch (err) {
    failed("system", err);
    if (err instanceof SnmpRequestError && (err.noAnswer || err.kind === "auth")) {
      observation.reachable = answered;
      observation.at = clock.now();
      return observation;
    }
  }

  const tasks: Array<Promise<void>> = [];
  if (wanted.has("interfaces")) {
    tasks.push(
      collectInterfaces(client, ifNumber).then(
        (interfaces) => {
          observation.interfaces = interfaces;
          answered = true;
        },
        (err) => failed("interfaces", err),
      ),
    );
  }
  if (wanted.has("entity")) {
    tasks.push(
      collectEntity(client, observation.system, chassisProbe).then(
        (entity) => {
          observation.entity = entity;
          answered = true;
        },
        (err) => failed("entity", err),
      ),
    );
  }
  if (wanted.has("drives")) {
    tasks.push(
      collectDrives(client).then(
        (drives) => {
          observation.drives = { sources: drives.sources, items: drives.items };
          if (drives.storage) observation.storage = drives.storage;
          errors.push(...drives.errors);
          answered = true;
        },
        (err) => failed("drives", err),
      ),
    );
  }
  await Promise.all(tasks);
  observation.reachable = answered;
  observation.at = clock.now();
  return observation;
}

/** Some agents refuse a whole GET over one object they do not like: then ask for the system group alone. */
async function collectSystemWithFallback(
  client: SnmpClient,
  alsoGet: readonly string[],
): ReturnType<typeof collectSystem> {
  try {
    return await collectSystem(client, alsoGet);
  } catch (err) {
    if (alsoGet.length > 0 && err instanceof SnmpRequestError && err.kind === "agent")
      return collectSystem(client);
    throw err;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
