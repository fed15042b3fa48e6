import {
  type CandidateDevice,
  candidateFromYaml,
  type Resolution,
  resolveDevice,
} from "../../config/profiles.js";
import type { Config, DeviceConfig } from "../../config/schema.js";

/**
 * The merge: the YAML's devices and each source's list become the desired device list, the one list
 * the poller, backups, alerts and runbooks use. The YAML wins over a source for a device of the same
 * name (case-insensitive), an earlier source over a later one. Pure.
 */
export interface MergedInventory {
  /** The desired device list. */
  devices: DeviceConfig[];
  /** Name → source of each device in the list. */
  sourceOf: Map<string, string>;
  /** One per device kept, in list order, plus those that could not be used (no `device`). */
  resolutions: Resolution[];
  /** Entries overridden by a device of the same name from the YAML or an earlier source. */
  shadowed: { name: string; source: string; by: string }[];
}

export function mergeInventory(
  config: Pick<Config, "devices" | "profiles">,
  sources: { source: string; devices: CandidateDevice[] }[],
): MergedInventory {
  const winners = new Map<string, CandidateDevice>();
  const shadowed: MergedInventory["shadowed"] = [];
  const candidates = [...config.devices.map(candidateFromYaml), ...sources.flatMap((s) => s.devices)];
  for (const c of candidates) {
    const key = c.name.toLowerCase();
    const prev = winners.get(key);
    if (prev) shadowed.push({ name: c.name, source: c.source, by: prev.source });
    else winners.set(key, c);
  }
  const resolutions = [...winners.values()].map((c) => resolveDevice(c, config.profiles));
  const devices: DeviceConfig[] = [];
  const sourceOf = new Map<string, string>();
  for (const r of resolutions) {
    if (!r.device) continue;
    devices.push(r.device);
    sourceOf.set(r.device.name, r.source);
  }
  return { devices, sourceOf, resolutions, shadowed };
}

export interface InventoryChange {
  added: { name: string; source: string }[];
  removed: { name: string; source: string }[];
  /** Devices in both lists whose address, site, tags or settings differ: what differs. */
  changed: { name: string; what: string[] }[];
}

/** Devices added and removed going from the names last applied (name → source) to a new list. */
export function addedRemoved(
  before: Map<string, string>,
  after: { devices: DeviceConfig[]; sourceOf: Map<string, string> },
): Pick<InventoryChange, "added" | "removed"> {
  const next = new Set(after.devices.map((d) => d.name));
  return {
    added: after.devices
      .filter((d) => !before.has(d.name))
      .map((d) => ({ name: d.name, source: after.sourceOf.get(d.name) ?? "yaml" })),
    removed: [...before].filter(([name]) => !next.has(name)).map(([name, source]) => ({ name, source })),
  };
}

/** What going from one device list to the next changes. */
export function diffDevices(
  before: { devices: DeviceConfig[]; sourceOf: Map<string, string> },
  after: { devices: DeviceConfig[]; sourceOf: Map<string, string> },
): InventoryChange {
  const old = new Map(before.devices.map((d) => [d.name, d]));
  const { added, removed } = addedRemoved(
    new Map(before.devices.map((d) => [d.name, before.sourceOf.get(d.name) ?? "yaml"])),
    after,
  );
  const changed: InventoryChange["changed"] = [];
  for (const b of after.devices) {
    const a = old.get(b.name);
    if (!a) continue;
    const what: string[] = [];
    if (a.host !== b.host) what.push(`host ${a.host} → ${b.host}`);
    if ((a.site ?? "") !== (b.site ?? "")) what.push(`site ${a.site ?? "none"} → ${b.site ?? "none"}`);
    if ([...a.tags].sort().join(",") !== [...b.tags].sort().join(",")) what.push("tags");
    for (const block of ["snmp", "ssh", "backup"] as const) {
      if (JSON.stringify(a[block]) !== JSON.stringify(b[block])) what.push(`${block} settings`);
    }
    if (what.length > 0) changed.push({ name: b.name, what });
  }
  return { added, removed, changed };
}
