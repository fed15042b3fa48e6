/**
 * The OIDs opsbot reads. Only the columns the collectors use are listed: walking a whole table
 * costs agent and poller CPU for data nobody looks at.
 */

export const SYSTEM = {
  sysDescr: "1.3.6.1.2.1.1.1.0",
  sysObjectID: "1.3.6.1.2.1.1.2.0",
  sysUpTime: "1.3.6.1.2.1.1.3.0",
  sysName: "1.3.6.1.2.1.1.5.0",
} as const;

/** IF-MIB ifNumber: how many rows ifTable has (a hint that sizes the walk's last request). */
export const IF_NUMBER = "1.3.6.1.2.1.2.1.0";

const IF_ENTRY = "1.3.6.1.2.1.2.2.1";
const IFX_ENTRY = "1.3.6.1.2.1.31.1.1.1";

/** IF-MIB ifTable and ifXTable columns, walked together (both are indexed by ifIndex). */
export const IF_COLUMNS = {
  ifDescr: `${IF_ENTRY}.2`,
  ifSpeed: `${IF_ENTRY}.5`,
  ifAdminStatus: `${IF_ENTRY}.7`,
  ifOperStatus: `${IF_ENTRY}.8`,
  ifLastChange: `${IF_ENTRY}.9`,
  ifInOctets: `${IF_ENTRY}.10`,
  ifInDiscards: `${IF_ENTRY}.13`,
  ifInErrors: `${IF_ENTRY}.14`,
  ifOutOctets: `${IF_ENTRY}.16`,
  ifOutDiscards: `${IF_ENTRY}.19`,
  ifOutErrors: `${IF_ENTRY}.20`,
  ifName: `${IFX_ENTRY}.1`,
  ifHCInOctets: `${IFX_ENTRY}.6`,
  ifHCOutOctets: `${IFX_ENTRY}.10`,
  ifHighSpeed: `${IFX_ENTRY}.15`,
  ifAlias: `${IFX_ENTRY}.18`,
} as const;

const ENT_PHYSICAL_ENTRY = "1.3.6.1.2.1.47.1.1.1.1";

/** ENTITY-MIB entPhysicalTable. */
export const ENTITY_COLUMNS = {
  entPhysicalDescr: `${ENT_PHYSICAL_ENTRY}.2`,
  entPhysicalClass: `${ENT_PHYSICAL_ENTRY}.5`,
  entPhysicalName: `${ENT_PHYSICAL_ENTRY}.7`,
  entPhysicalHardwareRev: `${ENT_PHYSICAL_ENTRY}.8`,
  entPhysicalFirmwareRev: `${ENT_PHYSICAL_ENTRY}.9`,
  entPhysicalSoftwareRev: `${ENT_PHYSICAL_ENTRY}.10`,
  entPhysicalSerialNum: `${ENT_PHYSICAL_ENTRY}.11`,
  entPhysicalModelName: `${ENT_PHYSICAL_ENTRY}.13`,
} as const;

/** PhysicalClass values (ENTITY-MIB). */
export const ENT_CLASS_CHASSIS = 3;
export const ENT_CLASS_STACK = 11;

/** MIKROTIK-MIB scalars: RouterOS puts no version in sysDescr and has no ENTITY-MIB. */
export const MIKROTIK = {
  enterprisePrefix: "1.3.6.1.4.1.14988.",
  softwareVersion: "1.3.6.1.4.1.14988.1.1.4.4.0", // mtxrLicVersion
  serialNumber: "1.3.6.1.4.1.14988.1.1.7.3.0", // mtxrSerialNumber
  firmwareVersion: "1.3.6.1.4.1.14988.1.1.7.4.0", // mtxrFirmwareVersion
} as const;

/** HOST-RESOURCES-MIB. */
export const HR = {
  hrDeviceType: "1.3.6.1.2.1.25.3.2.1.2",
  hrDeviceDescr: "1.3.6.1.2.1.25.3.2.1.3",
  hrDeviceStatus: "1.3.6.1.2.1.25.3.2.1.5",
  hrDiskStorageCapacity: "1.3.6.1.2.1.25.3.6.1.4",
  hrDeviceDiskStorage: "1.3.6.1.2.1.25.3.1.6",
  hrStorageType: "1.3.6.1.2.1.25.2.3.1.2",
  hrStorageDescr: "1.3.6.1.2.1.25.2.3.1.3",
  hrStorageAllocationUnits: "1.3.6.1.2.1.25.2.3.1.4",
  hrStorageSize: "1.3.6.1.2.1.25.2.3.1.5",
  hrStorageUsed: "1.3.6.1.2.1.25.2.3.1.6",
  hrStorageTypes: "1.3.6.1.2.1.25.2.1",
} as const;

const IDRAC_PD_ENTRY = "1.3.6.1.4.1.674.10892.5.5.1.20.130.4.1";

/** IDRAC-MIB-SMIv2 physicalDiskTable. */
export const IDRAC = {
  physicalDiskName: `${IDRAC_PD_ENTRY}.2`,
  physicalDiskState: `${IDRAC_PD_ENTRY}.4`,
  physicalDiskProductID: `${IDRAC_PD_ENTRY}.6`,
  physicalDiskSerialNo: `${IDRAC_PD_ENTRY}.7`,
  physicalDiskCapacityInMB: `${IDRAC_PD_ENTRY}.11`,
  physicalDiskComponentStatus: `${IDRAC_PD_ENTRY}.24`,
  physicalDiskSmartAlertIndication: `${IDRAC_PD_ENTRY}.31`,
  physicalDiskDisplayName: `${IDRAC_PD_ENTRY}.55`,
} as const;

const CPQ_PHY_DRV_ENTRY = "1.3.6.1.4.1.232.3.2.5.1.1";

/** CPQIDA-MIB cpqDaPhyDrvTable (HPE Smart Array), indexed by controller.drive. */
export const HPE = {
  cpqDaPhyDrvModel: `${CPQ_PHY_DRV_ENTRY}.3`,
  cpqDaPhyDrvBay: `${CPQ_PHY_DRV_ENTRY}.5`,
  cpqDaPhyDrvStatus: `${CPQ_PHY_DRV_ENTRY}.6`,
  cpqDaPhyDrvCondition: `${CPQ_PHY_DRV_ENTRY}.37`,
  cpqDaPhyDrvSize: `${CPQ_PHY_DRV_ENTRY}.45`,
  cpqDaPhyDrvSerialNum: `${CPQ_PHY_DRV_ENTRY}.51`,
  cpqDaPhyDrvLocationString: `${CPQ_PHY_DRV_ENTRY}.64`,
} as const;

const SYNO_DISK_ENTRY = "1.3.6.1.4.1.6574.2.1.1";

/** SYNOLOGY-DISK-MIB diskTable. diskHealthStatus only exists on DSM 7+. */
export const SYNOLOGY = {
  diskID: `${SYNO_DISK_ENTRY}.2`,
  diskModel: `${SYNO_DISK_ENTRY}.3`,
  diskStatus: `${SYNO_DISK_ENTRY}.5`,
  diskTemperature: `${SYNO_DISK_ENTRY}.6`,
  diskBadSector: `${SYNO_DISK_ENTRY}.9`,
  diskHealthStatus: `${SYNO_DISK_ENTRY}.13`,
} as const;

/** NETAPP-MIB raid group: per-disk tables (raidP = in a RAID group, spare, other = broken/bypassed). */
export const NETAPP = {
  raidPStatus: "1.3.6.1.4.1.789.1.6.10.1.2",
  raidPDiskName: "1.3.6.1.4.1.789.1.6.10.1.10",
  raidPTotalMb: "1.3.6.1.4.1.789.1.6.10.1.22",
  raidPDiskSerialNumber: "1.3.6.1.4.1.789.1.6.10.1.25",
  raidPDiskModel: "1.3.6.1.4.1.789.1.6.10.1.27",
  spareDiskName: "1.3.6.1.4.1.789.1.6.3.1.2",
  spareStatus: "1.3.6.1.4.1.789.1.6.3.1.3",
  spareTotalMb: "1.3.6.1.4.1.789.1.6.3.1.7",
  spareDiskSerialNumber: "1.3.6.1.4.1.789.1.6.3.1.16",
  spareDiskModel: "1.3.6.1.4.1.789.1.6.3.1.18",
  otherDiskDiskName: "1.3.6.1.4.1.789.1.6.9.1.2",
  otherDiskStatus: "1.3.6.1.4.1.789.1.6.9.1.3",
  otherDiskTotalMb: "1.3.6.1.4.1.789.1.6.9.1.7",
  otherDiskSerialNumber: "1.3.6.1.4.1.789.1.6.9.1.16",
  otherDiskModel: "1.3.6.1.4.1.789.1.6.9.1.18",
  diskTotalCount: "1.3.6.1.4.1.789.1.6.4.1.0",
  diskFailedCount: "1.3.6.1.4.1.789.1.6.4.7.0",
  diskFailedMessage: "1.3.6.1.4.1.789.1.6.4.10.0",
  diskPrefailedCount: "1.3.6.1.4.1.789.1.6.4.11.0",
} as const;
