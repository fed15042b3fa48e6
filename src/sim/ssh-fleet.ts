import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DeviceConfig, deviceSchema } from "../config/schema.js";
import { generateEd25519Pair } from "./keys.js";
import { type SimSshHost, startSimSshHost } from "./ssh-host.js";
import {
  failingDiskServerProfile,
  healthyServerProfile,
  type SimHostProfile,
  switchCliProfile,
} from "./ssh-host-profiles.js";

/**
 * The demo's SSH side: simulated hosts (ssh2 Server, no openssh needed) with pinned host keys and one
 * shared client key, as device configs ready to add to the demo config.
 *
 *   db01      SMART: /dev/sdb failing; md0 degraded with sdb1 faulty; nightly backup of /etc files
 *   web01     healthy disks and array; backup of /etc files
 *   core-sw1  backup only (`show running-config`, shell none); a colleague changes a VLAN after the
 *             first read, so a second `backup now core-sw1` stores a new version to `backup diff`
 *
 * db01 and core-sw1 share names with the SNMP fleet: `withSshSections` adds these ssh/backup sections
 * to those devices, so SNMP and SSH data about one host land in one drive view.
 */
export interface SimulatedSshFleet {
  devices: DeviceConfig[];
  hosts: Map<string, SimSshHost>;
  stop(): Promise<void>;
}

export async function startSshFleet(): Promise<SimulatedSshFleet> {
  const dir = mkdtempSync(join(tmpdir(), "opsbot-simssh-fleet-"));
  const pair = generateEd25519Pair();
  const privateKeyPath = join(dir, "opsbot_demo_ed25519");
  writeFileSync(privateKeyPath, pair.private, { mode: 0o600 });
  const clientKey = { privateKeyPath, publicKey: pair.public };

  const members: { profile: SimHostProfile; device: Record<string, unknown> }[] = [
    {
      profile: failingDiskServerProfile("db01"),
      device: {
        ssh: { collect: ["smart", "raid"] },
        backup: { command: "cat /etc/hostname /etc/fstab /etc/ssh/sshd_config" },
      },
    },
    {
      profile: healthyServerProfile("web01"),
      device: {
        tags: ["web", "linux"],
        site: "dc1",
        ssh: { collect: ["smart", "raid"] },
        backup: { command: "cat /etc/hostname /etc/fstab /etc/ssh/sshd_config" },
      },
    },
    {
      profile: healthyServerProfile("web02"),
      device: { tags: ["web", "linux"], site: "dc1", ssh: { collect: ["smart", "raid"] } },
    },
    {
      // The load balancer the web-deploy runbook drains hosts from.
      profile: healthyServerProfile("lb1"),
      device: { tags: ["lb", "linux"], site: "dc1", ssh: { collect: ["smart", "raid"] } },
    },
    {
      profile: changingSwitch("core-sw1"),
      device: {
        ssh: { shell: "none" },
        backup: {
          command: "show running-config",
          ignore_lines: ["^! Last configuration change", "^Building"],
        },
      },
    },
  ];

  const hosts = new Map<string, SimSshHost>();
  try {
    for (const m of members)
      hosts.set(m.profile.hostname, await startSimSshHost({ profile: m.profile, clientKey }));
  } catch (err) {
    await Promise.all([...hosts.values()].map((h) => h.stop()));
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const devices = members.map((m) => {
    const host = hosts.get(m.profile.hostname)!;
    const { ssh, ...rest } = m.device as { ssh: Record<string, unknown> };
    return deviceSchema.parse({
      name: m.profile.hostname,
      host: host.host,
      ...rest,
      ssh: { user: "opsbot", port: host.port, host_key: host.hostKeyLine, key_file: privateKeyPath, ...ssh },
    });
  });
  return {
    devices,
    hosts,
    async stop() {
      await Promise.all([...hosts.values()].map((h) => h.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Adds the SSH fleet's ssh/backup sections to devices of the same name and appends the others. The
 * SSH host is on loopback too, so a device keeps its host and gains the SSH port in `ssh.port`.
 */
export function withSshSections(devices: DeviceConfig[], ssh: DeviceConfig[]): DeviceConfig[] {
  const byName = new Map(ssh.map((d) => [d.name, d]));
  const merged = devices.map((d) => {
    const s = byName.get(d.name);
    if (!s) return d;
    byName.delete(d.name);
    return { ...d, ...(s.ssh ? { ssh: s.ssh } : {}), ...(s.backup ? { backup: s.backup } : {}) };
  });
  return [...merged, ...byName.values()];
}

/** A switch whose running config changes (VLAN 20 → 30 on Gi1/0/2) after it was first read. */
function changingSwitch(hostname: string): SimHostProfile {
  const profile = switchCliProfile(hostname);
  const original = profile.cli["show running-config"]!;
  const changed = original.replace(" switchport access vlan 20", " switchport access vlan 30");
  let reads = 0;
  Object.defineProperty(profile.cli, "show running-config", {
    enumerable: true,
    get: () => (reads++ === 0 ? original : changed),
  });
  return profile;
}
