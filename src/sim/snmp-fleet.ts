import { type DeviceConfig, deviceSchema } from "../config/schema.js";
import { type SimAgent, type SimDeviceSpec, type SimPort, startSimAgent } from "./snmp-sim-agent.js";

/**
 * The demo's simulated fleet: a few devices on loopback, each its own SNMP agent on a free port,
 * showing what on-call engineers ask about — ports down (one of them an uplink), a server with a
 * failed drive, a switch below its firmware baseline.
 *
 *   core-sw1    Catalyst 9300 48-port + 4 uplinks; Gi1/0/5 and Gi1/0/17 down, uplink Te1/1/2 down
 *   access-sw2  Aruba 2930F 24-port; port 3 down, port 12 admin down
 *   edge-sw3    Juniper EX2300 24-port on Junos 18.4R2-S3 (baseline: 21.4R3 or newer)
 *   db01        Dell server: HOST-RESOURCES disk sdb down, iDRAC physical disk 1 failed (the same
 *               drives, by serial, as the SSH fleet's SMART /dev/sda and /dev/sdb)
 */
export interface SimulatedFleet {
  /** Ready-to-use device configs (loopback host, the fleet's port and community). */
  devices: DeviceConfig[];
  /** Baselines that make edge-sw3 non-compliant, for the demo's config. */
  firmwareBaselines: Record<string, { min?: string; exact?: string }>;
  /** Flips a port's oper status (and ifLastChange) on a simulated device. */
  flipPort(device: string, ifIndex: number, status: "up" | "down"): void;
  stop(): Promise<void>;
}

export interface SimulatedFleetOptions {
  /** SNMPv2c community all agents accept. Default "opsbot-demo". */
  community?: string;
  /** Adds traffic to up ports this often (ms) so rates move; 0 disables. Default 10 s. */
  trafficIntervalMs?: number;
}

interface FleetMember {
  name: string;
  tags: string[];
  site: string;
  spec: SimDeviceSpec;
}

export async function startSnmpFleet(options: SimulatedFleetOptions = {}): Promise<SimulatedFleet> {
  const community = options.community ?? "opsbot-demo";
  const members = fleetMembers();
  const agents = new Map<string, SimAgent>();
  try {
    for (const member of members) agents.set(member.name, await startSimAgent(member.spec, community));
  } catch (err) {
    await Promise.all([...agents.values()].map((a) => a.stop()));
    throw err;
  }

  const intervalMs = options.trafficIntervalMs ?? 10_000;
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          for (const agent of agents.values()) agent.tick(BigInt(intervalMs) * 125_000n);
        }, intervalMs)
      : undefined;
  timer?.unref();

  const devices = members.map((m) =>
    deviceSchema.parse({
      name: m.name,
      host: "127.0.0.1",
      tags: m.tags,
      site: m.site,
      snmp: { port: agents.get(m.name)!.port, version: "2c", community, timeout_ms: 2000, retries: 1 },
    }),
  );

  return {
    devices,
    firmwareBaselines: { "EX2300-24T": { min: "21.4R3" }, "C9300-48P": { min: "17.3.1" } },
    flipPort(device, ifIndex, status) {
      const agent = agents.get(device);
      if (!agent)
        throw new RangeError(`no simulated device ${device} (have: ${[...agents.keys()].join(", ")})`);
      agent.setOperStatus(ifIndex, status);
    },
    async stop() {
      if (timer) clearInterval(timer);
      await Promise.all([...agents.values()].map((a) => a.stop()));
    },
  };
}

function ports(
  count: number,
  name: (i: number) => { name: string; descr: string },
  speedMbps: number,
  states: Record<number, Partial<SimPort>>,
  firstIndex = 1,
): SimPort[] {
  return Array.from({ length: count }, (_, k) => {
    const i = firstIndex + k;
    const traffic = BigInt(i) * 7_919_000_000n;
    return {
      ifIndex: i,
      ...name(k + 1),
      alias: "",
      admin: "up",
      oper: "up",
      speedMbps,
      inOctets: traffic * 3n,
      outOctets: traffic,
      ...states[i],
    };
  });
}

const down = (alias: string): Partial<SimPort> => ({ oper: "down", alias, inOctets: 0n, outOctets: 0n });

/** core-sw1: the 48-port switch profile (also what bench/snmp-poll.ts polls). */
export function switch48Spec(): SimDeviceSpec {
  return {
    sysDescr:
      "Cisco IOS Software [Amsterdam], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.3.4, RELEASE SOFTWARE (fc3)",
    sysObjectID: "1.3.6.1.4.1.9.1.2494",
    sysName: "core-sw1",
    ports: [
      ...ports(48, (n) => ({ name: `Gi1/0/${n}`, descr: `GigabitEthernet1/0/${n}` }), 1000, {
        1: { alias: "srv-db01 eth0", inOctets: 2n ** 53n + 12_345n },
        5: down("printer-3F"),
        17: down("ap-2F-east"),
        40: { admin: "down", oper: "down" },
      }),
      ...ports(
        4,
        (n) => ({ name: `Te1/1/${n}`, descr: `TenGigabitEthernet1/1/${n}` }),
        10000,
        {
          49: { alias: "uplink to access-sw2" },
          50: down("uplink to edge-sw3"),
          51: { admin: "down", oper: "down" },
          52: { admin: "down", oper: "down" },
        },
        49,
      ),
    ],
    entities: [
      {
        index: 1,
        descr: "C9300-48P",
        class: 3,
        name: "Switch 1",
        hardwareRev: "V02",
        firmwareRev: "17.3.1r[FC2]",
        softwareRev: "17.03.04",
        serial: "FOC2231X0AB",
        model: "C9300-48P",
      },
      {
        index: 2,
        descr: "Switch 1 - Power Supply A",
        class: 6,
        name: "PS A",
        serial: "ART2217F1AB",
        model: "PWR-C1-715WAC",
      },
    ],
  };
}

function fleetMembers(): FleetMember[] {
  return [
    { name: "core-sw1", tags: ["switch", "core"], site: "hq", spec: switch48Spec() },
    {
      name: "access-sw2",
      tags: ["switch", "access"],
      site: "hq",
      spec: {
        sysDescr:
          "Aruba JL253A 2930F-24G-4SFP+ Switch, revision WC.16.10.0012, ROM WC.16.01.0008 (/ws/swbuildm/rel_orca_qaoff/code/build/lvm(swbuildm_rel_orca_qaoff_rel_orca))",
        sysObjectID: "1.3.6.1.4.1.11.2.3.7.11.181.17",
        sysName: "access-sw2",
        ports: ports(24, (n) => ({ name: `${n}`, descr: `${n}` }), 1000, {
          1: { alias: "uplink to core-sw1" },
          3: down("meeting room B display"),
          12: { admin: "down", oper: "down", alias: "spare" },
        }),
        entities: [
          {
            index: 1,
            descr: "Aruba JL253A 2930F-24G-4SFP+ Switch",
            class: 3,
            name: "Chassis",
            serial: "CN12KXY0AB",
            model: "JL253A",
            softwareRev: "WC.16.10.0012",
          },
        ],
      },
    },
    {
      name: "edge-sw3",
      tags: ["switch", "edge"],
      site: "branch-1",
      spec: {
        sysDescr:
          "Juniper Networks, Inc. ex2300-24t Ethernet Switch, kernel JUNOS 18.4R2-S3, Build date: 2019-12-18 06:23:05 UTC Copyright (c) 1996-2019 Juniper Networks, Inc.",
        sysObjectID: "1.3.6.1.4.1.2636.1.1.1.2.132",
        sysName: "edge-sw3",
        ports: ports(24, (n) => ({ name: `ge-0/0/${n - 1}`, descr: `ge-0/0/${n - 1}` }), 1000, {
          1: { alias: "uplink to core-sw1" },
        }),
        entities: [
          {
            index: 1,
            descr: "EX2300-24T",
            class: 3,
            name: "FPC: EX2300-24T @ 0/*/*",
            serial: "JW3619AB0123",
            model: "EX2300-24T",
            softwareRev: "18.4R2-S3",
          },
        ],
      },
    },
    {
      name: "db01",
      tags: ["server", "database"],
      site: "hq",
      spec: {
        sysDescr: "Linux db01 5.10.0-21-amd64 #1 SMP Debian 5.10.162-1 (2023-01-21) x86_64",
        sysObjectID: "1.3.6.1.4.1.8072.3.2.10",
        sysName: "db01",
        ports: ports(2, (n) => ({ name: `eno${n}`, descr: `eno${n}` }), 10000, { 2: down("") }),
        disks: [
          { index: 1552, descr: "SCSI disk (/dev/sda)", status: 2, capacityKb: 937_692_504 },
          { index: 1568, descr: "SCSI disk (/dev/sdb)", status: 5, capacityKb: 937_692_504 },
        ],
        idracDisks: [
          {
            index: 1,
            name: "Physical Disk 0:1:0",
            displayName: "Disk 0 in Backplane 1 of Integrated RAID Controller 1",
            state: 3,
            componentStatus: 3,
            model: "ST1200MM0099",
            serial: "WD-WCC7K3333333",
            capacityMb: 1_144_064,
          },
          {
            index: 2,
            name: "Physical Disk 0:1:1",
            displayName: "Disk 1 in Backplane 1 of Integrated RAID Controller 1",
            state: 7,
            componentStatus: 5,
            model: "ST1200MM0099",
            serial: "ZFN0GT4K",
            capacityMb: 1_144_064,
          },
        ],
      },
    },
  ];
}
