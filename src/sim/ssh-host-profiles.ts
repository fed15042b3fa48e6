/**
 * What a simulated SSH host (ssh-host.ts) knows about itself: disks, md arrays, ZFS pools, files and
 * CLI answers. The smartctl JSON it prints has the shape of real smartctl 7.3 output (the same fields
 * the collectors read in test/fixtures/ssh/), generated rather than stored so profiles stay short.
 */
export interface SimDisk {
  device: string;
  type: "sat" | "nvme";
  model: string;
  serial: string;
  capacityBytes: number;
  /** failing: health check FAILED (exit bit 3 + 4); pending: passes but has pending sectors. */
  health: "ok" | "failing" | "pending";
  temperatureC: number;
  powerOnHours: number;
}

export interface SimHostProfile {
  hostname: string;
  disks: SimDisk[];
  /** /proc/mdstat; absent = no md. */
  mdstat?: string;
  /** zpool list / zpool status -x output; absent = no ZFS. */
  zpool?: { list: string; status: string };
  /** Files `cat` can print (config backups). */
  files: Record<string, string>;
  /** Exact command → output, for network-OS style commands ("show running-config"). */
  cli: Record<string, string>;
}

const TB = 1_000_204_886_016;

export function smartctlScanJson(profile: SimHostProfile): string {
  return JSON.stringify({
    json_format_version: [1, 0],
    smartctl: { version: [7, 3], argv: ["smartctl", "--scan", "-j"], exit_status: 0 },
    devices: profile.disks.map((d) => ({
      name: d.device,
      info_name: d.type === "sat" ? `${d.device} [SAT]` : d.device,
      type: d.type,
      protocol: d.type === "sat" ? "ATA" : "NVMe",
    })),
  });
}

/** smartctl -j -H -A -i output and exit status for one disk. */
export function smartctlDiskJson(d: SimDisk): { stdout: string; exitCode: number } {
  const exitCode = d.health === "failing" ? 24 : 0;
  const [realloc, pending] = d.health === "failing" ? [3912, 264] : d.health === "pending" ? [0, 8] : [0, 0];
  const base = {
    json_format_version: [1, 0],
    smartctl: {
      version: [7, 3],
      argv: ["smartctl", "-j", "-H", "-A", "-i", "-d", d.type, d.device],
      exit_status: exitCode,
    },
    device: {
      name: d.device,
      info_name: d.device,
      type: d.type,
      protocol: d.type === "sat" ? "ATA" : "NVMe",
    },
    model_name: d.model,
    serial_number: d.serial,
    user_capacity: { blocks: Math.floor(d.capacityBytes / 512), bytes: d.capacityBytes },
    smart_support: { available: true, enabled: true },
    smart_status: { passed: d.health !== "failing" },
    temperature: { current: d.temperatureC },
    power_on_time: { hours: d.powerOnHours },
  };
  if (d.type === "nvme") {
    return {
      exitCode,
      stdout: JSON.stringify({
        ...base,
        nvme_smart_health_information_log: {
          critical_warning: d.health === "failing" ? 4 : 0,
          temperature: d.temperatureC,
          available_spare: 100,
          available_spare_threshold: 10,
          percentage_used: 3,
          media_errors: d.health === "ok" ? 0 : 17,
          power_on_hours: d.powerOnHours,
        },
      }),
    };
  }
  const attr = (id: number, name: string, value: number, thresh: number, raw: number, whenFailed = "") => ({
    id,
    name,
    value,
    worst: value,
    thresh,
    when_failed: whenFailed,
    raw: { value: raw, string: String(raw) },
  });
  return {
    exitCode,
    stdout: JSON.stringify({
      ...base,
      ata_smart_attributes: {
        revision: 16,
        table: [
          attr(5, "Reallocated_Sector_Ct", realloc > 0 ? 5 : 200, 10, realloc, realloc > 0 ? "now" : ""),
          attr(9, "Power_On_Hours", 40, 0, d.powerOnHours),
          attr(194, "Temperature_Celsius", 118, 0, d.temperatureC),
          attr(197, "Current_Pending_Sector", 200, 0, pending),
          attr(198, "Offline_Uncorrectable", 200, 0, pending),
        ],
      },
    }),
  };
}

const disk = (device: string, serial: string, extra: Partial<SimDisk> = {}): SimDisk => ({
  device,
  type: "sat",
  model: "WDC WD40EFRX-68N32N0",
  serial,
  capacityBytes: 4 * TB,
  health: "ok",
  temperatureC: 34,
  powerOnHours: 21_000,
  ...extra,
});

const MDSTAT_OK = `Personalities : [raid1] [linear] [multipath] [raid0] [raid6] [raid5] [raid4] [raid10] 
md0 : active raid1 sdb1[1] sda1[0]
      975585280 blocks super 1.2 [2/2] [UU]
      bitmap: 0/8 pages [0KB], 65536KB chunk

unused devices: <none>
`;

const MDSTAT_DEGRADED = `Personalities : [raid1] [linear] [multipath] [raid0] [raid6] [raid5] [raid4] [raid10] 
md0 : active raid1 sdb1[1](F) sda1[0]
      975585280 blocks super 1.2 [2/1] [U_]
      bitmap: 3/8 pages [12KB], 65536KB chunk

unused devices: <none>
`;

const ETC_FILES = (hostname: string): Record<string, string> => ({
  "/etc/hostname": `${hostname}\n`,
  "/etc/ssh/sshd_config": "Port 22\nPermitRootLogin prohibit-password\nPasswordAuthentication no\n",
  "/etc/fstab": "UUID=2f1c6b1e / ext4 errors=remount-ro 0 1\n/dev/md0 /srv ext4 defaults 0 2\n",
});

/** A server whose disks and array are all healthy. */
export function healthyServerProfile(hostname = "app1"): SimHostProfile {
  return {
    hostname,
    disks: [disk("/dev/sda", "WD-WCC7K1111111"), disk("/dev/sdb", "WD-WCC7K2222222")],
    mdstat: MDSTAT_OK,
    files: ETC_FILES(hostname),
    cli: {},
  };
}

/** A database server with one failing disk that md has already kicked out. */
export function failingDiskServerProfile(hostname = "db1"): SimHostProfile {
  return {
    hostname,
    disks: [
      disk("/dev/sda", "WD-WCC7K3333333"),
      disk("/dev/sdb", "ZFN0GT4K", { model: "ST4000DM004-2CV104", health: "failing", temperatureC: 41 }),
      disk("/dev/nvme0", "S5GXNF0R123456A", {
        type: "nvme",
        model: "Samsung SSD 980 PRO 1TB",
        capacityBytes: TB,
      }),
    ],
    mdstat: MDSTAT_DEGRADED,
    files: ETC_FILES(hostname),
    cli: {},
  };
}

/** A network device reached over SSH only for config backups (shell "none"). */
export function switchCliProfile(hostname = "core-sw1"): SimHostProfile {
  return {
    hostname,
    disks: [],
    files: {},
    cli: {
      "show running-config": [
        "Building configuration...",
        "",
        "Current configuration : 1822 bytes",
        "! Last configuration change at 02:00:01 UTC Thu Jan 1 2026",
        "version 15.2",
        `hostname ${hostname}`,
        "enable secret 9 $9$mYs3cr3tHashValue$abcdefghijklmnop",
        "username admin privilege 15 secret 9 $9$an0therHash$qrstuvwxyz",
        "snmp-server community s3cr3t-community RO",
        "interface GigabitEthernet1/0/1",
        " description uplink to core-sw2",
        " switchport mode trunk",
        "interface GigabitEthernet1/0/2",
        " description db1 eth0",
        " switchport access vlan 20",
        "ntp server 10.0.0.1",
        "end",
        "",
      ].join("\n"),
    },
  };
}
