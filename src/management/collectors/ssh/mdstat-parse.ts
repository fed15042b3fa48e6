import type { DriveObservation, DriveStatus } from "../../observations.js";

/**
 * /proc/mdstat → one observation per md array plus one per failed member. Pure.
 *
 * An array missing members ("[2/1] [U_]") is failed unless it is rebuilding onto a spare ("recovery"),
 * which is a warning; an inactive array is failed. A resync or check of a healthy array is only detail.
 */
export interface MdMember {
  device: string;
  index: number;
  /** F faulty, S spare, W write-mostly, R replacement, J journal. */
  flags: string[];
}

export interface MdArray {
  name: string;
  state: string;
  readOnly?: string;
  level?: string;
  members: MdMember[];
  blocks?: number;
  raidDisks?: number;
  activeDisks?: number;
  /** "[UU_]" without brackets. */
  map?: string;
  action?: string;
  progressPct?: number;
  finishMin?: number;
  /** resync=DELAYED / PENDING. */
  pending?: string;
}

const HEADER = /^(md\S*)\s*:\s*(\S+)(?:\s+\(([^)]+)\))?\s*(.*)$/;
const MEMBER = /^([^\s[]+)\[(\d+)\]((?:\([A-Z]\))*)$/;

export function parseMdstat(text: string): MdArray[] {
  const arrays: MdArray[] = [];
  let current: MdArray | undefined;
  for (const line of text.split("\n")) {
    const header = HEADER.exec(line);
    if (header && !line.startsWith(" ")) {
      const [, name, state, readOnly, rest] = header as unknown as [
        string,
        string,
        string,
        string | undefined,
        string,
      ];
      const words = rest.split(/\s+/).filter(Boolean);
      const level = words[0] && !MEMBER.test(words[0]) ? words.shift() : undefined;
      current = {
        name,
        state,
        members: words.map(parseMember).filter((m): m is MdMember => m !== undefined),
      };
      if (readOnly) current.readOnly = readOnly;
      if (level) current.level = level;
      arrays.push(current);
      continue;
    }
    if (!current || !/^\s/.test(line)) {
      if (line.trim() === "" || /^(Personalities|unused devices)/.test(line)) current = undefined;
      continue;
    }
    const blocks = /^\s+(\d+) blocks/.exec(line);
    if (blocks) current.blocks = Number(blocks[1]);
    const counts = /\[(\d+)\/(\d+)\]\s+\[([U_]+)\]/.exec(line);
    if (counts) {
      current.raidDisks = Number(counts[1]);
      current.activeDisks = Number(counts[2]);
      current.map = counts[3]!;
    }
    const progress = /(recovery|resync|reshape|check|repair)\s*=\s*([\d.]+)%/.exec(line);
    if (progress) {
      current.action = progress[1]!;
      current.progressPct = Number(progress[2]);
      const finish = /finish=([\d.]+)min/.exec(line);
      if (finish) current.finishMin = Number(finish[1]);
    }
    const pending = /(resync|recovery|reshape)\s*=\s*(DELAYED|PENDING)/.exec(line);
    if (pending) current.pending = `${pending[1]} ${pending[2]!.toLowerCase()}`;
  }
  return arrays;
}

function parseMember(word: string): MdMember | undefined {
  const m = MEMBER.exec(word);
  if (!m) return undefined;
  return { device: m[1]!, index: Number(m[2]), flags: [...m[3]!.matchAll(/\(([A-Z])\)/g)].map((f) => f[1]!) };
}

export function mdObservations(arrays: MdArray[]): DriveObservation[] {
  const out: DriveObservation[] = [];
  for (const a of arrays) {
    const failed = a.members.filter((m) => m.flags.includes("F"));
    const spares = a.members.filter((m) => m.flags.includes("S"));
    const degraded = a.map?.includes("_") ?? false;
    const rebuilding = degraded && (a.action === "recovery" || a.action === "reshape");
    let status: DriveStatus;
    if (a.state !== "active") status = "failed";
    else if (degraded) status = rebuilding ? "warning" : "failed";
    else status = a.map ? "ok" : "unknown";

    const parts = [
      a.state,
      a.level,
      a.raidDisks !== undefined ? `[${a.raidDisks}/${a.activeDisks}] [${a.map}]` : "",
    ];
    if (a.action) parts.push(`${a.action} ${a.progressPct}%`);
    const detail: Record<string, string | number> = {
      members: a.members.map((m) => m.device).join(","),
    };
    if (a.level) detail.level = a.level;
    if (a.raidDisks !== undefined) detail.raidDisks = a.raidDisks;
    if (a.activeDisks !== undefined) detail.activeDisks = a.activeDisks;
    if (failed.length) detail.failedMembers = failed.map((m) => m.device).join(",");
    if (spares.length) detail.spareMembers = spares.map((m) => m.device).join(",");
    if (a.action) detail.action = a.action;
    if (a.progressPct !== undefined) detail.progressPct = a.progressPct;
    if (a.finishMin !== undefined) detail.finishMin = a.finishMin;
    if (a.pending) detail.pending = a.pending;
    if (a.readOnly) detail.readOnly = a.readOnly;
    const obs: DriveObservation = {
      key: `mdadm:${a.name}`,
      name: a.name,
      source: "mdadm",
      kind: "array",
      status,
      rawStatus: parts.filter(Boolean).join(" "),
      detail,
    };
    if (a.blocks !== undefined) obs.capacityBytes = a.blocks * 1024;
    out.push(obs);
    for (const m of failed) {
      out.push({
        key: `mdadm:${a.name}:${m.device}`,
        name: m.device,
        source: "mdadm",
        kind: "disk",
        status: "failed",
        rawStatus: `faulty (F) in ${a.name}`,
        detail: { array: a.name, slot: m.index },
      });
    }
  }
  return out;
}
