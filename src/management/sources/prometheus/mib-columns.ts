import {
  ENTITY_COLUMNS,
  HPE,
  HR,
  IDRAC,
  IF_COLUMNS,
  MIKROTIK,
  NETAPP,
  SYNOLOGY,
  SYSTEM,
} from "../../collectors/snmp/oids.js";

/**
 * The MIB objects opsbot's SNMP collectors read, as snmp_exporter exports them: one metric per
 * object, named after it, with the table's index as labels (ifOperStatus{ifIndex="3"}), strings as
 * a label of the metric's own name (ifAlias{ifIndex="3",ifAlias="uplink"} 1). The Prometheus source
 * turns those series back into the same MIB view the collectors walk, so both paths produce the
 * same observations; the snmp_exporter module opsbot ships is generated from this list.
 */
export type ValueKind = "int" | "counter" | "counter64" | "string" | "oid";

export interface MibColumn {
  name: string;
  /** Column OID (tables) or object OID without ".0" (scalars). */
  oid: string;
  kind: ValueKind;
  /** Index label names, outermost first; empty for a scalar. */
  indexes: readonly string[];
  /** Which collector reads it (the source queries one group at a time). */
  group: "system" | "interfaces" | "entity" | "drives";
}

const scalar = (oid: string) => oid.replace(/\.0$/, "");

const IF_KINDS: Record<keyof typeof IF_COLUMNS, ValueKind> = {
  ifDescr: "string",
  ifSpeed: "int",
  ifAdminStatus: "int",
  ifOperStatus: "int",
  ifLastChange: "int",
  ifInOctets: "counter",
  ifInDiscards: "counter",
  ifInErrors: "counter",
  ifOutOctets: "counter",
  ifOutDiscards: "counter",
  ifOutErrors: "counter",
  ifName: "string",
  ifHCInOctets: "counter64",
  ifHCOutOctets: "counter64",
  ifHighSpeed: "int",
  ifAlias: "string",
};

const table = (
  group: MibColumn["group"],
  columns: Record<string, string>,
  indexes: readonly string[],
  kinds: Record<string, ValueKind>,
): MibColumn[] =>
  Object.entries(columns).map(([name, oid]) => ({ name, oid, kind: kinds[name] ?? "int", indexes, group }));

const STRING = "string" as const;
const OID = "oid" as const;

export const MIB_COLUMNS: readonly MibColumn[] = [
  { name: "sysDescr", oid: scalar(SYSTEM.sysDescr), kind: STRING, indexes: [], group: "system" },
  { name: "sysObjectID", oid: scalar(SYSTEM.sysObjectID), kind: OID, indexes: [], group: "system" },
  { name: "sysUpTime", oid: scalar(SYSTEM.sysUpTime), kind: "int", indexes: [], group: "system" },
  { name: "sysName", oid: scalar(SYSTEM.sysName), kind: STRING, indexes: [], group: "system" },
  ...table("interfaces", IF_COLUMNS, ["ifIndex"], IF_KINDS),
  ...table("entity", ENTITY_COLUMNS, ["entPhysicalIndex"], {
    entPhysicalDescr: STRING,
    entPhysicalName: STRING,
    entPhysicalHardwareRev: STRING,
    entPhysicalFirmwareRev: STRING,
    entPhysicalSoftwareRev: STRING,
    entPhysicalSerialNum: STRING,
    entPhysicalModelName: STRING,
  }),
  {
    name: "mtxrLicVersion",
    oid: scalar(MIKROTIK.softwareVersion),
    kind: STRING,
    indexes: [],
    group: "entity",
  },
  {
    name: "mtxrSerialNumber",
    oid: scalar(MIKROTIK.serialNumber),
    kind: STRING,
    indexes: [],
    group: "entity",
  },
  {
    name: "mtxrFirmwareVersion",
    oid: scalar(MIKROTIK.firmwareVersion),
    kind: STRING,
    indexes: [],
    group: "entity",
  },
  ...table(
    "drives",
    { hrDeviceType: HR.hrDeviceType, hrDeviceDescr: HR.hrDeviceDescr, hrDeviceStatus: HR.hrDeviceStatus },
    ["hrDeviceIndex"],
    { hrDeviceType: OID, hrDeviceDescr: STRING },
  ),
  ...table("drives", { hrDiskStorageCapacity: HR.hrDiskStorageCapacity }, ["hrDeviceIndex"], {}),
  ...table(
    "drives",
    {
      hrStorageType: HR.hrStorageType,
      hrStorageDescr: HR.hrStorageDescr,
      hrStorageAllocationUnits: HR.hrStorageAllocationUnits,
      hrStorageSize: HR.hrStorageSize,
      hrStorageUsed: HR.hrStorageUsed,
    },
    ["hrStorageIndex"],
    { hrStorageType: OID, hrStorageDescr: STRING },
  ),
  ...table("drives", IDRAC, ["physicalDiskNumber"], {
    physicalDiskName: STRING,
    physicalDiskProductID: STRING,
    physicalDiskSerialNo: STRING,
    physicalDiskDisplayName: STRING,
  }),
  ...table("drives", HPE, ["cpqDaPhyDrvCntlrIndex", "cpqDaPhyDrvIndex"], {
    cpqDaPhyDrvModel: STRING,
    cpqDaPhyDrvSerialNum: STRING,
    cpqDaPhyDrvLocationString: STRING,
  }),
  ...table("drives", SYNOLOGY, ["diskIndex"], { diskID: STRING, diskModel: STRING }),
  ...table(
    "drives",
    {
      raidPStatus: NETAPP.raidPStatus,
      raidPDiskName: NETAPP.raidPDiskName,
      raidPTotalMb: NETAPP.raidPTotalMb,
      raidPDiskSerialNumber: NETAPP.raidPDiskSerialNumber,
      raidPDiskModel: NETAPP.raidPDiskModel,
    },
    ["raidPVIndex", "raidPPlexIndex", "raidPGroupIndex", "raidPIndex"],
    { raidPDiskName: STRING, raidPDiskSerialNumber: STRING, raidPDiskModel: STRING },
  ),
  ...table(
    "drives",
    {
      spareDiskName: NETAPP.spareDiskName,
      spareStatus: NETAPP.spareStatus,
      spareTotalMb: NETAPP.spareTotalMb,
      spareDiskSerialNumber: NETAPP.spareDiskSerialNumber,
      spareDiskModel: NETAPP.spareDiskModel,
    },
    ["spareIndex"],
    { spareDiskName: STRING, spareDiskSerialNumber: STRING, spareDiskModel: STRING },
  ),
  ...table(
    "drives",
    {
      otherDiskDiskName: NETAPP.otherDiskDiskName,
      otherDiskStatus: NETAPP.otherDiskStatus,
      otherDiskTotalMb: NETAPP.otherDiskTotalMb,
      otherDiskSerialNumber: NETAPP.otherDiskSerialNumber,
      otherDiskModel: NETAPP.otherDiskModel,
    },
    ["otherDiskIndex"],
    { otherDiskDiskName: STRING, otherDiskSerialNumber: STRING, otherDiskModel: STRING },
  ),
  ...[
    ["diskTotalCount", NETAPP.diskTotalCount, "int"],
    ["diskFailedCount", NETAPP.diskFailedCount, "int"],
    ["diskFailedMessage", NETAPP.diskFailedMessage, STRING],
    ["diskPrefailedCount", NETAPP.diskPrefailedCount, "int"],
  ].map(([name, oid, kind]) => ({
    name: name!,
    oid: scalar(oid!),
    kind: kind as ValueKind,
    indexes: [],
    group: "drives" as const,
  })),
];

/** snmp_exporter's metric type for each kind (strings and OIDs become a label). */
export function exporterType(kind: ValueKind): string {
  switch (kind) {
    case "int":
      return "gauge";
    case "counter":
    case "counter64":
      return "counter";
    default:
      return "DisplayString";
  }
}
