import type { DriveView } from "./fleet-query-types.js";
import type { DriveSource, DriveStatus } from "./observations.js";

/**
 * One physical drive, one row: host-resources, SMART, an mdadm member and iDRAC may all report the
 * same disk. Disks of one device are joined when they share a serial number, else a device path
 * ("SCSI disk (/dev/sdb)", "/dev/sdb", md member "sdb1" → sdb); a chain of such links joins them all.
 * The joined row lists its sources and takes the worst status (failed > warning > unknown > ok).
 * Arrays are never joined. Pure.
 */
const SEVERITY: Record<DriveStatus, number> = { ok: 0, unknown: 1, warning: 2, failed: 3 };

/** "/dev/sdb", "sdb1", "SCSI disk (/dev/sdb)", "nvme0n1p2" → "sdb" / "nvme0n1"; else undefined. */
export function devicePath(name: string): string | undefined {
  const m = /(?:^|[\s(/])((?:sd|hd|vd|xvd)[a-z]+|nvme\d+(?:n\d+)?)(?:p?\d+)?(?=$|[\s)])/.exec(name);
  if (!m) return undefined;
  const base = m[1]!;
  // nvme0 and nvme0n1 are the same drive (controller vs its first namespace).
  return base.startsWith("nvme") ? base.replace(/n\d+$/, "") : base;
}

export function mergeDrives(rows: readonly DriveView[]): DriveView[] {
  const parent = rows.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const seen = new Map<string, number>();
  rows.forEach((r, i) => {
    if (r.kind !== "disk") return;
    const ids: string[] = [];
    const serial = r.serial?.trim().toLowerCase();
    if (serial) ids.push(`serial:${serial}`);
    const path = devicePath(r.name);
    if (path) ids.push(`path:${path}`);
    for (const id of ids) {
      const k = `${r.device}\u0000${id}`;
      const other = seen.get(k);
      if (other === undefined) seen.set(k, i);
      else parent[find(i)] = find(other);
    }
  });
  const groups = new Map<number, DriveView[]>();
  rows.forEach((r, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), r]);
  });
  return [...groups.values()].map(joinGroup);
}

function joinGroup(group: DriveView[]): DriveView {
  if (group.length === 1) return { ...group[0]!, sources: [group[0]!.source] };
  // The worst status wins; between equals, the source that knows the drive best (has a serial).
  const rank = (r: DriveView) => SEVERITY[r.status] * 2 + (r.serial ? 1 : 0);
  const worst = group.reduce((w, r) => (rank(r) > rank(w) ? r : w));
  const named =
    group.find((r) => r.name.startsWith("/dev/")) ?? group.find((r) => devicePath(r.name)) ?? worst;
  const first = <K extends "model" | "serial" | "capacityBytes">(k: K) =>
    group.map((r) => r[k]).find((v) => v !== null && v !== undefined) ?? null;
  const sources = [...new Set(group.map((r) => r.source))] as DriveSource[];
  const detail: Record<string, string | number> = {};
  for (const r of group) Object.assign(detail, r.detail ?? {});
  return {
    ...worst,
    name:
      devicePath(named.name) && !named.name.startsWith("/dev/")
        ? `/dev/${devicePath(named.name)}`
        : named.name,
    rawStatus: group.map((r) => `${r.source}: ${r.rawStatus}`).join("; "),
    model: first("model"),
    serial: first("serial"),
    capacityBytes: first("capacityBytes"),
    detail: Object.keys(detail).length > 0 ? detail : null,
    // The oldest reading is the data's age; the worst source's since is the status's.
    polledAt: Math.min(...group.map((r) => r.polledAt)),
    sources,
  };
}
