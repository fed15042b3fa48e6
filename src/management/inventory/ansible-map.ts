import type { Block, CandidateDevice } from "../../config/profiles.js";

/**
 * `ansible-inventory --list` JSON → candidate devices. Groups (and the groups above them) become tags;
 * ansible_host is the address, ansible_user/ansible_port the SSH login; host vars named opsbot_* give
 * settings. A vaulted value is never decrypted: the host is used without that setting and the entry
 * says so. Pure.
 */
type Json = Record<string, unknown>;

const HIDDEN_GROUPS = new Set(["all", "ungrouped"]);

const isVaulted = (v: unknown): boolean =>
  v !== null && typeof v === "object" && "__ansible_vault" in (v as Json);

/** Group → its parent groups, from each group's `children`. */
function parentsOf(inventory: Json): Map<string, string[]> {
  const parents = new Map<string, string[]>();
  for (const [group, body] of Object.entries(inventory)) {
    if (group === "_meta") continue;
    const children = (body as { children?: unknown })?.children;
    if (!Array.isArray(children)) continue;
    for (const child of children) parents.set(String(child), [...(parents.get(String(child)) ?? []), group]);
  }
  return parents;
}

function groupsWithAncestors(direct: string[], parents: Map<string, string[]>): string[] {
  const out = new Set<string>();
  const stack = [...direct];
  while (stack.length > 0) {
    const g = stack.pop()!;
    if (out.has(g)) continue;
    out.add(g);
    stack.push(...(parents.get(g) ?? []));
  }
  return [...out].filter((g) => !HIDDEN_GROUPS.has(g)).sort();
}

const SETTING_VARS: Record<string, Block> = {
  opsbot_snmp: "snmp",
  opsbot_ssh: "ssh",
  opsbot_backup: "backup",
};
const TEXT_VARS = [
  "opsbot_site",
  "opsbot_role",
  "opsbot_platform",
  "opsbot_team",
  "opsbot_poll_schedule",
  "opsbot_profile",
];

export function fromAnsibleInventory(inventory: Json): { devices: CandidateDevice[]; skipped: string[] } {
  const hostvars = ((inventory._meta as Json | undefined)?.hostvars ?? {}) as Record<string, Json>;
  const parents = parentsOf(inventory);
  const direct = new Map<string, string[]>();
  for (const [group, body] of Object.entries(inventory)) {
    if (group === "_meta") continue;
    const hosts = (body as { hosts?: unknown })?.hosts;
    if (!Array.isArray(hosts)) continue;
    for (const h of hosts) direct.set(String(h), [...(direct.get(String(h)) ?? []), group]);
  }
  const names = [...new Set([...direct.keys(), ...Object.keys(hostvars)])].sort();
  const devices: CandidateDevice[] = [];
  const skipped: string[] = [];
  for (const name of names) {
    const vars = hostvars[name] ?? {};
    const notes: string[] = [];
    const text = (key: string): string | undefined => {
      const v = vars[key];
      if (isVaulted(v)) {
        notes.push(`${key} is vaulted`);
        return undefined;
      }
      return typeof v === "string" || typeof v === "number" ? String(v) : undefined;
    };
    const host = text("ansible_host") ?? name;
    const device: CandidateDevice = {
      name,
      host,
      tags: groupsWithAncestors(direct.get(name) ?? [], parents),
      own: {},
      source: "ansible",
    };
    const site = text("opsbot_site");
    const role = text("opsbot_role");
    const platform = text("opsbot_platform");
    const team = text("opsbot_team");
    const schedule = text("opsbot_poll_schedule");
    const profile = text("opsbot_profile");
    if (site) device.site = site;
    if (role) device.role = role;
    if (platform) device.platform = platform;
    if (team) device.team = team;
    if (schedule) device.poll_schedule = schedule;
    if (profile) device.profile = profile;
    const user = text("ansible_user");
    const port = text("ansible_port");
    if (user !== undefined || port !== undefined) {
      device.connection = {
        ...(user !== undefined ? { user } : {}),
        ...(port !== undefined && /^\d+$/.test(port) ? { port: Number(port) } : {}),
      };
    }
    for (const [key, block] of Object.entries(SETTING_VARS)) {
      const v = vars[key];
      if (v === undefined) continue;
      if (isVaulted(v)) {
        notes.push(`${key} is vaulted`);
        continue;
      }
      if (v === null || typeof v !== "object" || Array.isArray(v)) {
        notes.push(`${key} is not a mapping`);
        continue;
      }
      const clean: Json = {};
      for (const [k, val] of Object.entries(v as Json)) {
        if (isVaulted(val)) notes.push(`${key}.${k} is vaulted`);
        else clean[k] = val;
      }
      device.own[block] = clean;
    }
    for (const key of Object.keys(vars)) {
      if (key.startsWith("opsbot_") && !(key in SETTING_VARS) && !TEXT_VARS.includes(key)) {
        notes.push(
          `${key} is not an opsbot setting (known: ${[...Object.keys(SETTING_VARS), ...TEXT_VARS].join(", ")})`,
        );
      }
    }
    if (notes.length > 0) {
      skipped.push(
        `${name}: ${notes.join("; ")}${notes.some((n) => n.includes("vaulted")) ? " — opsbot never decrypts Ansible Vault values: give the secret to opsbot by ${VAR} in a profile instead" : ""}`,
      );
    }
    devices.push(device);
  }
  return { devices, skipped };
}
