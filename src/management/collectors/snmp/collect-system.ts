import type snmp from "net-snmp";
import type { SystemObservation } from "../../observations.js";
import { SYSTEM } from "./oids.js";
import type { SnmpClient } from "./snmp-client.js";
import { int, oidValue, text } from "./values.js";

const OIDS = [SYSTEM.sysDescr, SYSTEM.sysObjectID, SYSTEM.sysUpTime, SYSTEM.sysName];

/**
 * SNMPv2-MIB system group in one GET. A missing object (noSuchObject) reads as empty / 0.
 * `alsoGet` rides along in the same request (one packet fewer per poll); their varbinds come back
 * in `extra`, in order.
 */
export async function collectSystem(
  client: SnmpClient,
  alsoGet: readonly string[] = [],
): Promise<{ system: SystemObservation; extra: snmp.Varbind[] }> {
  const varbinds = await client.get(alsoGet.length > 0 ? [...OIDS, ...alsoGet] : OIDS);
  const [descr, objectId, uptime, name] = varbinds;
  return {
    system: {
      descr: text(descr?.value),
      objectId: oidValue(objectId?.value),
      uptimeCs: int(uptime?.value) ?? 0,
      name: text(name?.value),
    },
    extra: varbinds.slice(OIDS.length),
  };
}
