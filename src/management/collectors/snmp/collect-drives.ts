import type {
  CollectorError,
  DriveObservation,
  DriveSource,
  StorageObservation,
} from "../../observations.js";
import {
  mapHpeDrive,
  mapHrDeviceStatus,
  mapIdracDisk,
  mapNetappOtherDisk,
  mapNetappRaidDisk,
  mapNetappSpareDisk,
  mapNetappSummary,
  mapSynologyDisk,
} from "./drive-status.js";
import { HPE, HR, IDRAC, NETAPP, SYNOLOGY } from "./oids.js";
import type { SnmpClient } from "./snmp-client.js";
import { int, oidValue, text, unsigned32 } from "./values.js";
import { type ColumnRows, sortedIndexes, walkColumns } from "./walk-columns.js";

export interface DrivesResult {
  /** Sources whose tables were read (present or absent); a poll replaces only these. */
  sources: DriveSource[];
  items: DriveObservation[];
  /** hrStorageTable, when the agent has HOST-RESOURCES-MIB. */
  storage?: StorageObservation[];
  /** Tables that failed part-way; their sources are left out of `sources`. */
  errors: CollectorError[];
}

const MIB = 1024 * 1024;

/**
 * The first column of every drive table, asked for in one GetNext: the answers say which tables
 * this agent has, so a switch costs one round trip and a server walks only its own vendor's table.
 */
const PROBES = [
  HR.hrDeviceType,
  HR.hrStorageType,
  IDRAC.physicalDiskState,
  HPE.cpqDaPhyDrvStatus,
  SYNOLOGY.diskStatus,
  NETAPP.raidPStatus,
  NETAPP.spareStatus,
  NETAPP.otherDiskStatus,
] as const;

interface SourceReader {
  source: DriveSource;
  read: () => Promise<{ items: DriveObservation[]; storage?: StorageObservation[] }>;
}

export async function collectDrives(client: SnmpClient): Promise<DrivesResult> {
  const probe = await client.getNext([...PROBES]);
  const has = (i: number): boolean => probe[i]?.oid.startsWith(`${PROBES[i]}.`) ?? false;

  const readers: SourceReader[] = [
    { source: "host-resources", read: () => readHostResources(client, has(0), has(1)) },
    { source: "idrac", read: async () => ({ items: has(2) ? await readIdrac(client) : [] }) },
    { source: "hpe", read: async () => ({ items: has(3) ? await readHpe(client) : [] }) },
    { source: "synology", read: async () => ({ items: has(4) ? await readSynology(client) : [] }) },
    {
      source: "netapp",
      read: async () => ({
        items: has(5) || has(6) || has(7) ? await readNetapp(client, has(5), has(6), has(7)) : [],
      }),
    },
  ];

  const results = await Promise.allSettled(readers.map((r) => r.read()));
  const out: DrivesResult = { sources: [], items: [], errors: [] };
  results.forEach((result, i) => {
    const source = readers[i]!.source;
    if (result.status === "rejected") {
      out.errors.push({ collector: `drives:${source}`, message: errorText(result.reason) });
      return;
    }
    out.sources.push(source);
    out.items.push(...result.value.items);
    if (result.value.storage) out.storage = result.value.storage;
  });
  return out;
}

async function readHostResources(
  client: SnmpClient,
  hasDevices: boolean,
  hasStorage: boolean,
): Promise<{ items: DriveObservation[]; storage?: StorageObservation[] }> {
  const [devices, storage] = await Promise.all([
    hasDevices
      ? walkColumns(client, [HR.hrDeviceType, HR.hrDeviceDescr, HR.hrDeviceStatus, HR.hrDiskStorageCapacity])
      : undefined,
    hasStorage
      ? walkColumns(client, [
          HR.hrStorageType,
          HR.hrStorageDescr,
          HR.hrStorageAllocationUnits,
          HR.hrStorageSize,
          HR.hrStorageUsed,
        ])
      : undefined,
  ]);
  const items: DriveObservation[] = [];
  if (devices) {
    for (const index of sortedIndexes(devices)) {
      const row = devices.get(index)!;
      if (oidValue(row[0]) !== HR.hrDeviceDiskStorage) continue;
      const mapped = mapHrDeviceStatus(int(row[2]));
      const capacityKb = int(row[3]);
      items.push({
        key: `host-resources:${index}`,
        name: text(row[1]) || `disk ${index}`,
        source: "host-resources",
        kind: "disk",
        status: mapped.status,
        rawStatus: mapped.raw,
        ...(capacityKb !== undefined && capacityKb > 0 ? { capacityBytes: capacityKb * 1024 } : {}),
      });
    }
  }
  return storage ? { items, storage: toStorage(storage) } : { items };
}

const STORAGE_TYPES: Record<string, string> = {
  "1": "other",
  "2": "ram",
  "3": "virtualMemory",
  "4": "fixedDisk",
  "5": "removableDisk",
  "6": "floppyDisk",
  "7": "compactDisc",
  "8": "ramDisk",
  "9": "flashMemory",
  "10": "networkDisk",
};

function toStorage(rows: ColumnRows): StorageObservation[] {
  return sortedIndexes(rows).map((index) => {
    const row = rows.get(index)!;
    const typeOid = oidValue(row[0]);
    const typeKey = typeOid.startsWith(`${HR.hrStorageTypes}.`)
      ? typeOid.slice(HR.hrStorageTypes.length + 1)
      : "";
    const units = int(row[2]) ?? 0;
    return {
      index: Number(index),
      descr: text(row[1]),
      type: STORAGE_TYPES[typeKey] ?? (typeOid || "unknown"),
      sizeBytes: units * (unsigned32(row[3]) ?? 0),
      usedBytes: units * (unsigned32(row[4]) ?? 0),
    };
  });
}

async function readIdrac(client: SnmpClient): Promise<DriveObservation[]> {
  const rows = await walkColumns(client, [
    IDRAC.physicalDiskName,
    IDRAC.physicalDiskState,
    IDRAC.physicalDiskProductID,
    IDRAC.physicalDiskSerialNo,
    IDRAC.physicalDiskCapacityInMB,
    IDRAC.physicalDiskComponentStatus,
    IDRAC.physicalDiskSmartAlertIndication,
    IDRAC.physicalDiskDisplayName,
  ]);
  return sortedIndexes(rows).map((index) => {
    const row = rows.get(index)!;
    const smart = int(row[6]);
    const mapped = mapIdracDisk(int(row[1]), int(row[5]), smart);
    const capacityMb = int(row[4]);
    return withOptional(
      {
        key: `idrac:${index}`,
        name: text(row[7]) || text(row[0]) || `disk ${index}`,
        source: "idrac",
        kind: "disk",
        status: mapped.status,
        rawStatus: mapped.raw,
        detail: {
          componentStatus: mapped.componentRaw,
          ...(smart !== undefined ? { smartAlert: smart === 1 ? "yes" : "no" } : {}),
        },
      },
      text(row[2]),
      text(row[3]),
      capacityMb !== undefined ? capacityMb * MIB : undefined,
    );
  });
}

async function readHpe(client: SnmpClient): Promise<DriveObservation[]> {
  const rows = await walkColumns(client, [
    HPE.cpqDaPhyDrvModel,
    HPE.cpqDaPhyDrvBay,
    HPE.cpqDaPhyDrvStatus,
    HPE.cpqDaPhyDrvCondition,
    HPE.cpqDaPhyDrvSize,
    HPE.cpqDaPhyDrvSerialNum,
    HPE.cpqDaPhyDrvLocationString,
  ]);
  return sortedIndexes(rows).map((index) => {
    const row = rows.get(index)!;
    const mapped = mapHpeDrive(int(row[2]), int(row[3]));
    const bay = int(row[1]);
    const sizeMb = int(row[4]);
    return withOptional(
      {
        key: `hpe:${index}`,
        name: text(row[6]) || (bay !== undefined ? `bay ${bay}` : `drive ${index}`),
        source: "hpe",
        kind: "disk",
        status: mapped.status,
        rawStatus: mapped.raw,
        detail: { condition: mapped.conditionRaw },
      },
      text(row[0]),
      text(row[5]),
      sizeMb !== undefined ? sizeMb * MIB : undefined,
    );
  });
}

async function readSynology(client: SnmpClient): Promise<DriveObservation[]> {
  const rows = await walkColumns(client, [
    SYNOLOGY.diskID,
    SYNOLOGY.diskModel,
    SYNOLOGY.diskStatus,
    SYNOLOGY.diskTemperature,
    SYNOLOGY.diskBadSector,
    SYNOLOGY.diskHealthStatus,
  ]);
  return sortedIndexes(rows).map((index) => {
    const row = rows.get(index)!;
    const mapped = mapSynologyDisk(int(row[2]), int(row[5]));
    const detail: Record<string, string | number> = {};
    const temperature = int(row[3]);
    const badSectors = int(row[4]);
    if (temperature !== undefined) detail.temperatureC = temperature;
    if (badSectors !== undefined) detail.badSectors = badSectors;
    if (mapped.healthRaw) detail.health = mapped.healthRaw;
    return withOptional(
      {
        key: `synology:${index}`,
        name: text(row[0]) || `disk ${index}`,
        source: "synology",
        kind: "disk",
        status: mapped.status,
        rawStatus: mapped.raw,
        detail,
      },
      text(row[1]),
      undefined,
      undefined,
    );
  });
}

async function readNetapp(
  client: SnmpClient,
  hasRaid: boolean,
  hasSpare: boolean,
  hasOther: boolean,
): Promise<DriveObservation[]> {
  const table = (columns: string[], present: boolean) =>
    present ? walkColumns(client, columns) : Promise.resolve<ColumnRows>(new Map());
  const [raid, spare, other, summary] = await Promise.all([
    table(
      [
        NETAPP.raidPDiskName,
        NETAPP.raidPStatus,
        NETAPP.raidPTotalMb,
        NETAPP.raidPDiskSerialNumber,
        NETAPP.raidPDiskModel,
      ],
      hasRaid,
    ),
    table(
      [
        NETAPP.spareDiskName,
        NETAPP.spareStatus,
        NETAPP.spareTotalMb,
        NETAPP.spareDiskSerialNumber,
        NETAPP.spareDiskModel,
      ],
      hasSpare,
    ),
    table(
      [
        NETAPP.otherDiskDiskName,
        NETAPP.otherDiskStatus,
        NETAPP.otherDiskTotalMb,
        NETAPP.otherDiskSerialNumber,
        NETAPP.otherDiskModel,
      ],
      hasOther,
    ),
    client.get([
      NETAPP.diskTotalCount,
      NETAPP.diskFailedCount,
      NETAPP.diskPrefailedCount,
      NETAPP.diskFailedMessage,
    ]),
  ]);

  // Keyed by disk name: a disk keeps its identity as it moves between spare, RAID group and broken.
  const items: DriveObservation[] = [];
  const add = (
    rows: ColumnRows,
    role: string,
    map: (v: number | undefined) => { status: DriveObservation["status"]; raw: string },
  ) => {
    for (const index of sortedIndexes(rows)) {
      const row = rows.get(index)!;
      const name = text(row[0]) || `${role} ${index}`;
      const mapped = map(int(row[1]));
      const totalMb = int(row[2]);
      items.push(
        withOptional(
          {
            key: `netapp:${name}`,
            name,
            source: "netapp",
            kind: "disk",
            status: mapped.status,
            rawStatus: mapped.raw,
            detail: { role },
          },
          text(row[4]),
          text(row[3]),
          totalMb !== undefined ? totalMb * MIB : undefined,
        ),
      );
    }
  };
  add(raid, "raid", mapNetappRaidDisk);
  add(spare, "spare", mapNetappSpareDisk);
  add(other, "other", mapNetappOtherDisk);

  const [total, failed, prefailed, message] = summary.map((vb) => vb.value);
  const failedCount = int(failed);
  const prefailedCount = int(prefailed);
  if (failedCount !== undefined || prefailedCount !== undefined) {
    const failedMessage = text(message);
    items.push({
      key: "netapp:summary",
      name: "disk summary",
      source: "netapp",
      kind: "array",
      status: mapNetappSummary(failedCount, prefailedCount),
      rawStatus: `failed=${failedCount ?? "?"} prefailed=${prefailedCount ?? "?"} total=${int(total) ?? "?"}`,
      ...(failedMessage ? { detail: { failedMessage } } : {}),
    });
  }
  return items;
}

function withOptional(
  drive: DriveObservation,
  model: string,
  serial: string | undefined,
  capacityBytes: number | undefined,
): DriveObservation {
  if (model) drive.model = model;
  if (serial) drive.serial = serial;
  if (capacityBytes !== undefined && capacityBytes > 0) drive.capacityBytes = capacityBytes;
  return drive;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
