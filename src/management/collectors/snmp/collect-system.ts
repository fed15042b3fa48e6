import type { SystemObservation } from "../../observations.js";
import { SYSTEM } from "./oids.js";
import type { SnmpClient } from "./snmp-client.js";
import { int, oidValue, text } from "./values.js";

const OIDS = [SYSTEM.sysDescr, SYSTEM.sysObjectID, SYSTEM.sysUpTime, SYSTEM.sysName];

/** SNMPv2-MIB system group in one GET. A missing object (noSuchObject) reads as empty / 0. */
export async function collectSystem(client: SnmpClient): Promise<SystemObservation> {
  const [descr, objectId, uptime, name] = await client.get(OIDS);
  return {
    descr: text(descr?.value),
    objectId: oidValue(objectId?.value),
    uptimeCs: int(uptime?.value) ?? 0,
    name: text(name?.value),
  };
}
