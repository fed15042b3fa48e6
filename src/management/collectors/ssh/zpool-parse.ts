import type { DriveObservation, DriveStatus } from "../../observations.js";

/**
 * ZFS pools: `zpool list -H -p -o name,health,size` names every pool and its health; `zpool status -x`
 * (run only when a pool is unhealthy — it prints nothing useful otherwise) adds the why and the member
 * devices that are not ONLINE. Pure.
 */
export interface ZpoolListEntry {
  name: string;
  health: string;
  sizeBytes?: number;
}

export interface ZpoolStatus {
  pool: string;
  state?: string;
  status?: string;
  action?: string;
  scan?: string;
  errors?: string;
  /** Leaf devices (not mirror-N/raidz groups) that are not ONLINE. */
  badDevices: { name: string; state: string; read: string; write: string; cksum: string; note?: string }[];
}

export function parseZpoolList(text: string): ZpoolListEntry[] {
  return text
    .split("\n")
    .map((l) => l.split("\t"))
    .filter((f) => f.length >= 2 && f[0]!.trim() !== "")
    .map(([name, health, size]) => {
      const entry: ZpoolListEntry = { name: name!.trim(), health: health!.trim() };
      if (size && /^\d+$/.test(size.trim())) entry.sizeBytes = Number(size.trim());
      return entry;
    });
}

const GROUP = /^(mirror|raidz[123]?|draid[123]?(:\S+)?|spare|replacing)(-\d+)?$/;
const SECTION = new Set(["logs", "cache", "spares", "special", "dedup"]);

export function parseZpoolStatus(text: string): ZpoolStatus[] {
  const pools: ZpoolStatus[] = [];
  let cur: ZpoolStatus | undefined;
  let field: "status" | "action" | undefined;
  let inConfig = false;
  for (const line of text.split("\n")) {
    const kv = /^\s*(pool|state|status|action|scan|errors|config|see):\s?(.*)$/.exec(line);
    if (kv && !line.startsWith("\t")) {
      const [, key, value] = kv as unknown as [string, string, string];
      field = undefined;
      inConfig = key === "config";
      if (key === "pool") {
        cur = { pool: value.trim(), badDevices: [] };
        pools.push(cur);
      } else if (cur && key !== "config" && key !== "see") {
        cur[key as "state" | "status" | "action" | "scan" | "errors"] = value.trim();
        if (key === "status" || key === "action") field = key;
      }
      continue;
    }
    if (!cur) continue;
    if (field && /^\t/.test(line) && !inConfig) {
      cur[field] = `${cur[field]} ${line.trim()}`;
      continue;
    }
    if (!inConfig) continue;
    const m = /^\t\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!m || m[1] === "NAME") continue;
    const [, name, state, read, write, cksum, note] = m as unknown as string[];
    if (
      name === cur.pool ||
      GROUP.test(name!) ||
      SECTION.has(name!) ||
      state === "ONLINE" ||
      state === "AVAIL"
    )
      continue;
    cur.badDevices.push({
      name: name!,
      state: state!,
      read: read!,
      write: write!,
      cksum: cksum!,
      ...(note ? { note } : {}),
    });
  }
  return pools;
}

function poolStatus(health: string, resilvering: boolean): DriveStatus {
  switch (health) {
    case "ONLINE":
      return "ok";
    case "DEGRADED":
      return resilvering ? "warning" : "failed";
    case "OFFLINE":
      return "warning";
    case "FAULTED":
    case "UNAVAIL":
    case "SUSPENDED":
    case "REMOVED":
      return "failed";
    default:
      return "unknown";
  }
}

export function zfsObservations(list: ZpoolListEntry[], statuses: ZpoolStatus[]): DriveObservation[] {
  const out: DriveObservation[] = [];
  for (const p of list) {
    const st = statuses.find((s) => s.pool === p.name);
    const resilvering = /resilver in progress/.test(st?.scan ?? "");
    const detail: Record<string, string | number> = {};
    if (st?.status) detail.status = st.status;
    if (st?.action) detail.action = st.action;
    if (st?.scan) detail.scan = st.scan;
    if (st?.errors) detail.errors = st.errors;
    if (st?.badDevices.length)
      detail.badDevices = st.badDevices.map((d) => `${d.name} ${d.state}`).join(", ");
    const obs: DriveObservation = {
      key: `zfs:${p.name}`,
      name: p.name,
      source: "zfs",
      kind: "array",
      status: poolStatus(p.health, resilvering),
      rawStatus: p.health,
      detail,
    };
    if (p.sizeBytes !== undefined) obs.capacityBytes = p.sizeBytes;
    out.push(obs);
    for (const d of st?.badDevices ?? []) {
      const failed = ["FAULTED", "UNAVAIL", "REMOVED"].includes(d.state);
      out.push({
        key: `zfs:${p.name}:${d.name}`,
        name: d.name,
        source: "zfs",
        kind: "disk",
        status: failed ? "failed" : "warning",
        rawStatus: d.note ? `${d.state} (${d.note})` : d.state,
        detail: { pool: p.name, readErrors: d.read, writeErrors: d.write, checksumErrors: d.cksum },
      });
    }
  }
  return out;
}
