import type { Config } from "../config/schema.js";
import { startSnmpFleet } from "../sim/snmp-fleet.js";
import { startSshFleet, withSshSections } from "../sim/ssh-fleet.js";

export interface DemoFleet {
  /** The demo config with the simulated devices (loopback ports, keys) and their firmware baselines. */
  config: Config;
  /** Flips a simulated port, so `links`, the change log and alerts can be watched reacting. */
  flipPort(device: string, ifIndex: number, status: "up" | "down"): void;
  stop(): Promise<void>;
}

/**
 * Starts the demo's simulated fleet on loopback — SNMP agents (net-snmp's own JS agent) and SSH hosts
 * (ssh2's own server), so no system packages are needed — and returns a config pointing at it.
 */
export async function startDemoFleet(base: Config): Promise<DemoFleet> {
  const snmp = await startSnmpFleet();
  let ssh: Awaited<ReturnType<typeof startSshFleet>>;
  try {
    ssh = await startSshFleet();
  } catch (err) {
    await snmp.stop();
    throw err;
  }
  const config: Config = {
    ...base,
    firmware_baselines: { ...snmp.firmwareBaselines, ...base.firmware_baselines },
    devices: [...base.devices, ...withSshSections(snmp.devices, ssh.devices)],
  };
  return {
    config,
    flipPort: (device, ifIndex, status) => snmp.flipPort(device, ifIndex, status),
    stop: async () => {
      await Promise.allSettled([snmp.stop(), ssh.stop()]);
    },
  };
}
