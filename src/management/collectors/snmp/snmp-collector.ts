import type { DeviceConfig } from "../../../config/schema.js";
import type { Clock } from "../../../lib/clock.js";
import type { Logger } from "../../../lib/logger.js";
import type { DeviceObservation } from "../../observations.js";
import { createAgentLimiter } from "./agent-limiter.js";
import { ALL_SNMP_COLLECTORS, collectWithClient, type SnmpCollectorName } from "./collect-with-client.js";
import { installFastOidReader } from "./fast-oid-reader.js";
import { createSharedUdp, type SharedUdp } from "./shared-udp.js";
import { openSnmpClient, type SnmpClient } from "./snmp-client.js";

export { ALL_SNMP_COLLECTORS, collectWithClient, type SnmpCollectorName };

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

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
