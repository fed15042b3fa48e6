import type snmp from "net-snmp";
import type { Clock } from "../../../lib/clock.js";
import type { CollectorError, DeviceObservation } from "../../observations.js";
import { collectDrives } from "./collect-drives.js";
import { CHASSIS_PROBE_OIDS, collectEntity } from "./collect-entity.js";
import { collectInterfaces, interfacesFromRows } from "./collect-interfaces.js";
import { collectSystem } from "./collect-system.js";
import { IF_NUMBER } from "./oids.js";
import type { SnmpClient } from "./snmp-client.js";
import { SnmpRequestError } from "./snmp-errors.js";
import { int } from "./values.js";
import type { ColumnRows } from "./walk-columns.js";

export type SnmpCollectorName = "system" | "interfaces" | "entity" | "drives";

export const ALL_SNMP_COLLECTORS: readonly SnmpCollectorName[] = ["system", "interfaces", "entity", "drives"];

/**
 * Runs the wanted collectors over one SNMP client (an agent's session, or any other view of the same
 * MIB objects, such as the Prometheus source's view of snmp_exporter's metrics).
 */
export async function collectWithClient(
  device: string,
  client: SnmpClient,
  wanted: ReadonlySet<SnmpCollectorName>,
  clock: Clock,
  /**
   * Table rows the caller already holds, used instead of walking them over `client` (the Prometheus
   * source builds ifTable rows straight from its series: the same raw values a walk would collect).
   */
  given: { interfaces?: ColumnRows } = {},
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
      (given.interfaces
        ? Promise.resolve(interfacesFromRows(given.interfaces))
        : collectInterfaces(client, ifNumber)
      ).then(
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
