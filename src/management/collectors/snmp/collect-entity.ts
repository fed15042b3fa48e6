import type snmp from "net-snmp";
import type { EntityObservation, SystemObservation } from "../../observations.js";
import { ENT_CLASS_CHASSIS, ENT_CLASS_STACK, ENTITY_COLUMNS, MIKROTIK } from "./oids.js";
import type { SnmpClient } from "./snmp-client.js";
import { parseSysDescr } from "./sysdescr.js";
import { int, text } from "./values.js";
import { sortedIndexes, walkColumns } from "./walk-columns.js";

const DETAIL_COLUMNS = [
  ENTITY_COLUMNS.entPhysicalDescr,
  ENTITY_COLUMNS.entPhysicalName,
  ENTITY_COLUMNS.entPhysicalHardwareRev,
  ENTITY_COLUMNS.entPhysicalFirmwareRev,
  ENTITY_COLUMNS.entPhysicalSoftwareRev,
  ENTITY_COLUMNS.entPhysicalSerialNum,
  ENTITY_COLUMNS.entPhysicalModelName,
];

/** entPhysicalClass.1 and the chassis details at index 1: where nearly every agent keeps its chassis. */
export const CHASSIS_PROBE_OIDS: readonly string[] = [
  `${ENTITY_COLUMNS.entPhysicalClass}.1`,
  ...DETAIL_COLUMNS.map((c) => `${c}.1`),
];

interface ChassisRow {
  descr: string;
  name: string;
  hardwareRev: string;
  firmwareRev: string;
  softwareRev: string;
  serial: string;
  model: string;
}

/**
 * Model, serial and revisions of the chassis. Most agents put the chassis at entPhysicalIndex 1,
 * so the first GET asks for its class and details together (one round trip for the common case);
 * otherwise the class column is walked to find it. No ENTITY-MIB at all → parsed from sysDescr.
 */
export async function collectEntity(
  client: SnmpClient,
  system: SystemObservation | undefined,
  /** The answer to CHASSIS_PROBE_OIDS when it was fetched along with the system group. */
  probe?: readonly snmp.Varbind[],
): Promise<EntityObservation> {
  const parsed = parseSysDescr(system?.descr ?? "");
  const chassis = await readChassis(client, probe);
  if (chassis) {
    return {
      model: chassis.model || parsed.model || chassis.name || chassis.descr,
      serial: chassis.serial,
      hardwareRev: chassis.hardwareRev,
      firmwareRev: chassis.firmwareRev,
      // Some chassis rows leave the software revision to the modules; sysDescr still has it.
      softwareRev: chassis.softwareRev || parsed.version || "",
      source: "entity-mib",
      ...vendorFields(parsed),
    };
  }
  const fallback: EntityObservation = {
    model: parsed.model ?? "",
    serial: "",
    hardwareRev: "",
    firmwareRev: "",
    softwareRev: parsed.version ?? "",
    source: "sysdescr",
    ...vendorFields(parsed),
  };
  if (system?.objectId.startsWith(MIKROTIK.enterprisePrefix)) {
    const [version, serial, firmware] = await client.get([
      MIKROTIK.softwareVersion,
      MIKROTIK.serialNumber,
      MIKROTIK.firmwareVersion,
    ]);
    fallback.softwareRev = text(version?.value) || fallback.softwareRev;
    fallback.serial = text(serial?.value);
    fallback.firmwareRev = text(firmware?.value);
  }
  return fallback;
}

async function readChassis(
  client: SnmpClient,
  probe?: readonly snmp.Varbind[],
): Promise<ChassisRow | undefined> {
  const first =
    probe?.length === CHASSIS_PROBE_OIDS.length ? probe : await client.get([...CHASSIS_PROBE_OIDS]);
  if (int(first[0]?.value) === ENT_CLASS_CHASSIS) return toChassis(first.slice(1).map((vb) => vb.value));

  const classes = await walkColumns(client, [ENTITY_COLUMNS.entPhysicalClass]);
  if (classes.size === 0) return undefined;
  const indexes = sortedIndexes(classes);
  const index =
    indexes.find((i) => int(classes.get(i)?.[0]) === ENT_CLASS_CHASSIS) ??
    indexes.find((i) => int(classes.get(i)?.[0]) === ENT_CLASS_STACK) ??
    indexes[0]!;
  if (index === "1") return toChassis(first.slice(1).map((vb) => vb.value));
  const details = await client.get(DETAIL_COLUMNS.map((c) => `${c}.${index}`));
  return toChassis(details.map((vb) => vb.value));
}

function toChassis(values: readonly unknown[]): ChassisRow {
  return {
    descr: text(values[0]),
    name: text(values[1]),
    hardwareRev: text(values[2]),
    firmwareRev: text(values[3]),
    softwareRev: text(values[4]),
    serial: text(values[5]),
    model: text(values[6]),
  };
}

function vendorFields(parsed: { vendor?: string; os?: string }): Pick<EntityObservation, "vendor" | "os"> {
  const out: Pick<EntityObservation, "vendor" | "os"> = {};
  if (parsed.vendor) out.vendor = parsed.vendor;
  if (parsed.os) out.os = parsed.os;
  return out;
}
