import type { DeviceConfig } from "../../../config/schema.js";
import type { Clock } from "../../../lib/clock.js";
import type { DeviceObservation } from "../../observations.js";
import type { Collector } from "../../poller.js";
import type { SshCollector } from "./ssh-collector.js";

/**
 * One collector for the poller: SNMP for devices with an snmp section, SSH for devices with
 * `ssh.collect`, both at once for devices with both, merged into one observation so the drive view
 * and change log show one picture per host.
 */
export function withSshCollector(snmp: Collector | undefined, ssh: SshCollector, clock: Clock): Collector {
  return {
    async collect(device: DeviceConfig) {
      const parts: Promise<DeviceObservation>[] = [];
      if (device.snmp && snmp) parts.push(snmp.collect(device));
      if (ssh.appliesTo(device)) parts.push(ssh.collect(device));
      if (parts.length === 0) {
        // Nothing is configured to poll (e.g. an SSH section used only for backups): report nothing
        // rather than calling the device unreachable.
        return { device: device.name, at: clock.now(), errors: [], reachable: true };
      }
      return mergeObservations(await Promise.all(parts));
    },
  };
}

export function mergeObservations(parts: DeviceObservation[]): DeviceObservation {
  const [first, ...rest] = parts;
  if (!first) throw new Error("mergeObservations needs at least one observation");
  const merged: DeviceObservation = { ...first, errors: [...first.errors] };
  if (first.drives) merged.drives = { sources: [...first.drives.sources], items: [...first.drives.items] };
  for (const p of rest) {
    merged.at = Math.max(merged.at, p.at);
    merged.reachable = merged.reachable || p.reachable;
    merged.errors.push(...p.errors);
    merged.system ??= p.system;
    merged.interfaces ??= p.interfaces;
    merged.entity ??= p.entity;
    merged.storage ??= p.storage;
    if (p.drives) {
      merged.drives ??= { sources: [], items: [] };
      merged.drives.sources.push(...p.drives.sources);
      merged.drives.items.push(...p.drives.items);
    }
  }
  // An empty `??=` target stays absent rather than undefined-valued.
  for (const k of ["system", "interfaces", "entity", "storage"] as const)
    if (merged[k] === undefined) delete merged[k];
  return merged;
}
