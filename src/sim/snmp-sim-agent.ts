import { createSocket } from "node:dgram";
import snmp from "net-snmp";

/**
 * One simulated SNMP device on loopback, served by net-snmp's own pure-JS agent, so the demo runs
 * on a machine with no simulator installed. The device is described as plain data; the agent
 * serves SNMPv2-MIB system, IF-MIB ifTable/ifXTable, ENTITY-MIB, HOST-RESOURCES-MIB and the Dell
 * iDRAC physical-disk table from it.
 */
export interface SimPort {
  ifIndex: number;
  name: string;
  descr: string;
  alias: string;
  admin: "up" | "down";
  oper: "up" | "down";
  speedMbps: number;
  inOctets: bigint;
  outOctets: bigint;
  inErrors?: number;
}

export interface SimEntity {
  index: number;
  descr: string;
  /** PhysicalClass: 3 chassis, 6 power supply, 9 module, 10 port… */
  class: number;
  name: string;
  hardwareRev?: string;
  firmwareRev?: string;
  softwareRev?: string;
  serial?: string;
  model?: string;
}

export interface SimDisk {
  index: number;
  descr: string;
  /** hrDeviceStatus: 2 running, 3 warning, 5 down. */
  status: number;
  capacityKb: number;
}

export interface SimIdracDisk {
  index: number;
  name: string;
  displayName: string;
  /** physicalDiskState: 3 online, 7 failed… */
  state: number;
  /** ObjectStatusEnum: 3 ok, 4 nonCritical, 5 critical. */
  componentStatus: number;
  model: string;
  serial: string;
  capacityMb: number;
}

export interface SimDeviceSpec {
  sysDescr: string;
  sysObjectID: string;
  sysName: string;
  ports: SimPort[];
  entities?: SimEntity[];
  disks?: SimDisk[];
  idracDisks?: SimIdracDisk[];
}

export interface SimAgent {
  readonly port: number;
  /** Sets a port's oper status and stamps ifLastChange with the current sysUpTime. */
  setOperStatus(ifIndex: number, status: "up" | "down"): void;
  /** Adds traffic to every port that is up (so rates are not all zero). */
  tick(octetsPerPort: bigint): void;
  stop(): Promise<void>;
}

const RO = snmp.MaxAccess["read-only"];
const NA = snmp.MaxAccess["not-accessible"];
const T = snmp.ObjectType;

const col = (number: number, name: string, type: number, maxAccess: number = RO) => ({
  number,
  name,
  type,
  maxAccess,
});

/** Counter64 values go to net-snmp's agent as 8-byte big-endian buffers. */
function c64(value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(value & 0xffffffffffffffffn);
  return b;
}

const c32 = (value: bigint): number => Number(value & 0xffffffffn);

export async function startSimAgent(
  spec: SimDeviceSpec,
  community: string,
  host = "127.0.0.1",
): Promise<SimAgent> {
  const bootedAt = performance.now();
  const uptime = (): number => Math.floor((performance.now() - bootedAt) / 10) + 4_200_000;
  const { agent, port } = await listen(host);
  agent.getAuthorizer().addCommunity(community);
  const mib = agent.getMib();
  registerProviders(mib, uptime);

  mib.setScalarValue("sysDescr", spec.sysDescr);
  mib.setScalarValue("sysObjectID", spec.sysObjectID);
  mib.setScalarValue("sysUpTime", uptime());
  mib.setScalarValue("sysName", spec.sysName);

  const ports = new Map(spec.ports.map((p) => [p.ifIndex, { ...p }]));
  for (const p of ports.values()) {
    const isUp = p.oper === "up";
    mib.addTableRow("ifTable", [
      p.ifIndex,
      p.descr,
      6,
      Math.min(p.speedMbps * 1_000_000, 4_294_967_295),
      p.admin === "up" ? 1 : 2,
      isUp ? 1 : 2,
      isUp ? 500 : 4_000_000,
      c32(p.inOctets),
      0,
      p.inErrors ?? 0,
      c32(p.outOctets),
      0,
      0,
    ]);
    mib.addTableRow("ifXTable", [p.ifIndex, p.name, c64(p.inOctets), c64(p.outOctets), p.speedMbps, p.alias]);
  }
  for (const e of spec.entities ?? []) {
    mib.addTableRow("entPhysicalTable", [
      e.index,
      e.descr,
      e.class,
      e.name,
      e.hardwareRev ?? "",
      e.firmwareRev ?? "",
      e.softwareRev ?? "",
      e.serial ?? "",
      e.model ?? "",
    ]);
  }
  for (const d of spec.disks ?? []) {
    mib.addTableRow("hrDeviceTable", [d.index, "1.3.6.1.2.1.25.3.1.6", d.descr, d.status]);
    mib.addTableRow("hrDiskStorageTable", [d.index, d.capacityKb]);
  }
  for (const d of spec.idracDisks ?? []) {
    mib.addTableRow("physicalDiskTable", [
      d.index,
      d.name,
      d.state,
      d.model,
      d.serial,
      d.capacityMb,
      d.componentStatus,
      0,
      d.displayName,
    ]);
  }

  return {
    port,
    setOperStatus(ifIndex, status) {
      if (!ports.has(ifIndex)) throw new RangeError(`no ifIndex ${ifIndex} on ${spec.sysName}`);
      mib.setTableSingleCell("ifTable", 8, [ifIndex], status === "up" ? 1 : 2);
      mib.setTableSingleCell("ifTable", 9, [ifIndex], uptime());
      ports.get(ifIndex)!.oper = status;
    },
    tick(octets) {
      for (const p of ports.values()) {
        if (p.oper !== "up") continue;
        p.inOctets += octets;
        p.outOctets += octets / 2n;
        mib.setTableSingleCell("ifTable", 10, [p.ifIndex], c32(p.inOctets));
        mib.setTableSingleCell("ifTable", 16, [p.ifIndex], c32(p.outOctets));
        mib.setTableSingleCell("ifXTable", 6, [p.ifIndex], c64(p.inOctets));
        mib.setTableSingleCell("ifXTable", 10, [p.ifIndex], c64(p.outOctets));
      }
    },
    stop: () => new Promise<void>((resolve) => agent.close(() => resolve())),
  };
}

function registerProviders(mib: snmp.Mib, uptime: () => number): void {
  const scalar = (name: string, oid: string, type: number, handler?: snmp.ProviderDefinition["handler"]) =>
    mib.registerProvider({
      name,
      type: snmp.MibProviderType.Scalar,
      oid,
      scalarType: type,
      maxAccess: RO,
      ...(handler ? { handler } : {}),
    });
  scalar("sysDescr", "1.3.6.1.2.1.1.1", T.OctetString);
  scalar("sysObjectID", "1.3.6.1.2.1.1.2", T.OID);
  scalar("sysUpTime", "1.3.6.1.2.1.1.3", T.TimeTicks, (request) => {
    request.instanceNode.value = uptime();
    request.done();
  });
  scalar("sysName", "1.3.6.1.2.1.1.5", T.OctetString);

  const table = (
    name: string,
    oid: string,
    columns: snmp.TableColumn[],
    tableIndex: snmp.ProviderDefinition["tableIndex"],
  ) =>
    mib.registerProvider({
      name,
      type: snmp.MibProviderType.Table,
      oid,
      maxAccess: NA,
      tableColumns: columns,
      tableIndex,
    });

  table(
    "ifTable",
    "1.3.6.1.2.1.2.2.1",
    [
      col(1, "ifIndex", T.Integer),
      col(2, "ifDescr", T.OctetString),
      col(3, "ifType", T.Integer),
      col(5, "ifSpeed", T.Gauge),
      col(7, "ifAdminStatus", T.Integer),
      col(8, "ifOperStatus", T.Integer),
      col(9, "ifLastChange", T.TimeTicks),
      col(10, "ifInOctets", T.Counter),
      col(13, "ifInDiscards", T.Counter),
      col(14, "ifInErrors", T.Counter),
      col(16, "ifOutOctets", T.Counter),
      col(19, "ifOutDiscards", T.Counter),
      col(20, "ifOutErrors", T.Counter),
    ],
    [{ columnName: "ifIndex" }],
  );
  table(
    "ifXTable",
    "1.3.6.1.2.1.31.1.1.1",
    [
      col(1, "ifName", T.OctetString),
      col(6, "ifHCInOctets", T.Counter64),
      col(10, "ifHCOutOctets", T.Counter64),
      col(15, "ifHighSpeed", T.Gauge),
      col(18, "ifAlias", T.OctetString),
    ],
    [{ columnName: "ifIndex", foreign: "ifTable" }],
  );
  table(
    "entPhysicalTable",
    "1.3.6.1.2.1.47.1.1.1.1",
    [
      col(1, "entPhysicalIndex", T.Integer, NA),
      col(2, "entPhysicalDescr", T.OctetString),
      col(5, "entPhysicalClass", T.Integer),
      col(7, "entPhysicalName", T.OctetString),
      col(8, "entPhysicalHardwareRev", T.OctetString),
      col(9, "entPhysicalFirmwareRev", T.OctetString),
      col(10, "entPhysicalSoftwareRev", T.OctetString),
      col(11, "entPhysicalSerialNum", T.OctetString),
      col(13, "entPhysicalModelName", T.OctetString),
    ],
    [{ columnName: "entPhysicalIndex" }],
  );
  table(
    "hrDeviceTable",
    "1.3.6.1.2.1.25.3.2.1",
    [
      col(1, "hrDeviceIndex", T.Integer),
      col(2, "hrDeviceType", T.OID),
      col(3, "hrDeviceDescr", T.OctetString),
      col(5, "hrDeviceStatus", T.Integer),
    ],
    [{ columnName: "hrDeviceIndex" }],
  );
  table(
    "hrDiskStorageTable",
    "1.3.6.1.2.1.25.3.6.1",
    [col(4, "hrDiskStorageCapacity", T.Integer)],
    [{ columnName: "hrDeviceIndex", foreign: "hrDeviceTable" }],
  );
  table(
    "physicalDiskTable",
    "1.3.6.1.4.1.674.10892.5.5.1.20.130.4.1",
    [
      col(1, "physicalDiskNumber", T.Integer, NA),
      col(2, "physicalDiskName", T.OctetString),
      col(4, "physicalDiskState", T.Integer),
      col(6, "physicalDiskProductID", T.OctetString),
      col(7, "physicalDiskSerialNo", T.OctetString),
      col(11, "physicalDiskCapacityInMB", T.Integer),
      col(24, "physicalDiskComponentStatus", T.Integer),
      col(31, "physicalDiskSmartAlertIndication", T.Integer),
      col(55, "physicalDiskDisplayName", T.OctetString),
    ],
    [{ columnName: "physicalDiskNumber" }],
  );
}

/**
 * net-snmp's agent cannot bind port 0, so pick a free port, bind the agent to it, and retry on
 * the rare race where something else took it in between.
 */
async function listen(host: string): Promise<{ agent: snmp.Agent; port: number }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort(host);
    let bindError: Error | undefined;
    // Errors on packets the agent cannot use (garbage, bad community) arrive here too: ignored.
    const agent = snmp.createAgent({ port, address: host, disableAuthorization: false }, (error) => {
      if (error && (error as NodeJS.ErrnoException).code === "EADDRINUSE") bindError = error;
    });
    const sockets = Object.values(agent.listener.sockets);
    try {
      await Promise.all(
        sockets.map(
          (socket) =>
            new Promise<void>((resolve, reject) => {
              socket.once("listening", () => resolve());
              socket.once("error", reject);
            }),
        ),
      );
      if (bindError) throw bindError;
      return { agent, port };
    } catch (err) {
      lastError = err;
      agent.close();
    }
  }
  throw lastError;
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    socket.once("error", reject);
    socket.bind(0, host, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
