import type * as z from "zod";
import { cronProblem } from "../lib/cron.js";
import { PARSE_ONCE } from "../lib/parse-once.js";
import {
  backupSchema,
  type Config,
  type DeviceConfig,
  deviceSchema,
  snmpSchema,
  sshSchema,
} from "./schema.js";

/**
 * Credential profiles: which SNMP/SSH/backup settings each device gets. A device's own block wins
 * key by key over the block of the most specific matching profile; a profile the device names
 * (`profile:`, a NetBox custom field, `opsbot_profile`) comes before any match. Pure: no I/O.
 */

export type Block = "snmp" | "ssh" | "backup";
export const BLOCKS: readonly Block[] = ["snmp", "ssh", "backup"];

/** A device as a source (or the YAML) describes it, before profiles are applied. */
export interface CandidateDevice {
  name: string;
  host: string;
  tags: string[];
  site?: string;
  role?: string;
  platform?: string;
  team?: string;
  poll_schedule?: string;
  /** Where its fleet data comes from: the poller or the Prometheus source (its own, else a profile's). */
  via?: "poller" | "prometheus";
  /** A profile the device names itself. */
  profile?: string;
  /** Settings the device gives itself, possibly partial (sources) or complete (YAML). */
  own: Partial<Record<Block, Record<string, unknown>>>;
  /** SSH user/port from the source's connection data (ansible_user/ansible_port): used only when an ssh block exists. */
  connection?: { user?: string; port?: number };
  /** Where it came from: "yaml", "netbox", "ansible". */
  source: string;
}

export interface Resolution {
  name: string;
  source: string;
  /** The device as the poller, backups and runbooks see it; absent when it cannot be used at all. */
  device?: DeviceConfig;
  /** Per block: who gave it ("device", "profile core", "profile core + device"); absent: nobody. */
  settings: Partial<Record<Block, string>>;
  /** What is wrong, each naming the setting. */
  problems: string[];
  /** True when something can collect from it (SNMP, SSH drive collectors, or the Prometheus source). */
  pollable: boolean;
}

type Profiles = Config["profiles"];
type Profile = Profiles[string];

const lower = (s: string | undefined) => s?.toLowerCase();

function matches(profile: Profile, d: CandidateDevice): boolean {
  const m = profile.match;
  if (m === undefined) return false;
  const tags = new Set(d.tags.map((t) => t.toLowerCase()));
  if (!m.tags.every((t) => tags.has(t.toLowerCase()))) return false;
  if (m.site !== undefined && lower(m.site) !== lower(d.site)) return false;
  if (m.role !== undefined && lower(m.role) !== lower(d.role)) return false;
  if (m.platform !== undefined && lower(m.platform) !== lower(d.platform)) return false;
  return true;
}

function specificity(profile: Profile): number {
  const m = profile.match;
  if (m === undefined) return 0;
  return m.tags.length + (m.site ? 1 : 0) + (m.role ? 1 : 0) + (m.platform ? 1 : 0);
}

/** Profiles that apply to the device, the one it names first, then most specific first (ties: file order). */
export function profilesFor(d: CandidateDevice, profiles: Profiles): { name: string; profile: Profile }[] {
  const ordered = Object.entries(profiles)
    .map(([name, profile], index) => ({ name, profile, index }))
    .filter((p) => p.name !== d.profile && matches(p.profile, d))
    .sort((a, b) => specificity(b.profile) - specificity(a.profile) || a.index - b.index);
  const named = d.profile !== undefined ? profiles[d.profile] : undefined;
  return [...(named ? [{ name: d.profile!, profile: named }] : []), ...ordered];
}

const blockSchemas: Record<Block, z.ZodType> = { snmp: snmpSchema, ssh: sshSchema, backup: backupSchema };

function issues(block: string, error: z.ZodError): string[] {
  return error.issues.map((i) => `${[block, ...i.path.map(String)].join(".")}: ${i.message}`);
}

export function resolveDevice(d: CandidateDevice, profiles: Profiles): Resolution {
  const problems: string[] = [];
  const settings: Resolution["settings"] = {};
  const blocks: Partial<Record<Block, unknown>> = {};
  if (d.profile !== undefined && !(d.profile in profiles)) {
    problems.push(`profile: "${d.profile}" is not defined under profiles`);
  }
  const applicable = profilesFor(d, profiles);
  for (const block of BLOCKS) {
    const from = applicable.find((p) => p.profile[block] !== undefined);
    const own = d.own[block];
    if (!from && !own) continue;
    const raw: Record<string, unknown> = { ...(from?.profile[block] ?? {}) };
    if (block === "ssh" && d.connection) {
      if (d.connection.user !== undefined) raw.user = d.connection.user;
      if (d.connection.port !== undefined) raw.port = d.connection.port;
    }
    Object.assign(raw, own ?? {});
    const who = [from ? `profile ${from.name}` : undefined, own ? "device" : undefined]
      .filter(Boolean)
      .join(" + ");
    const parsed = blockSchemas[block].safeParse(raw, PARSE_ONCE);
    if (parsed.success) {
      blocks[block] = parsed.data;
      settings[block] = who;
    } else {
      problems.push(...issues(block, parsed.error).map((p) => `${p} (from ${who})`));
    }
  }
  if (blocks.backup !== undefined && blocks.ssh === undefined) {
    problems.push(`backup: needs ssh settings (backups run over SSH) (from ${settings.backup})`);
    delete blocks.backup;
    delete settings.backup;
  }
  let schedule = d.poll_schedule;
  if (schedule !== undefined && cronProblem(schedule) !== undefined) {
    problems.push(`poll_schedule: "${schedule}" is not a cron expression (the default schedule is used)`);
    schedule = undefined;
  }
  const backupSchedule = (blocks.backup as { schedule?: string } | undefined)?.schedule;
  if (backupSchedule !== undefined && cronProblem(backupSchedule) !== undefined) {
    problems.push(`backup.schedule: "${backupSchedule}" is not a cron expression (from ${settings.backup})`);
    delete blocks.backup;
    delete settings.backup;
  }
  // A profile can send a whole site or role to the Prometheus source; the device's own via wins.
  const via = d.via ?? applicable.find((p) => p.profile.via !== undefined)?.profile.via;
  const candidate = {
    ...facts({ ...d, poll_schedule: schedule, ...(via === undefined ? {} : { via }) }),
    ...blocks,
  };
  const parsed = deviceSchema.safeParse(candidate, PARSE_ONCE);
  if (!parsed.success) {
    problems.push(...issues("device", parsed.error));
    return { name: d.name, source: d.source, settings, problems, pollable: false };
  }
  const device = parsed.data;
  const pollable =
    device.via === "prometheus" || device.snmp !== undefined || (device.ssh?.collect?.length ?? 0) > 0;
  return { name: d.name, source: d.source, device, settings, problems, pollable };
}

/** The YAML's own device as a candidate: its blocks are complete, so they win whole. */
export function candidateFromYaml(d: DeviceConfig): CandidateDevice {
  const own: CandidateDevice["own"] = {};
  for (const block of BLOCKS) if (d[block] !== undefined) own[block] = d[block] as Record<string, unknown>;
  return { ...facts(d), ...(d.profile !== undefined ? { profile: d.profile } : {}), own, source: "yaml" };
}

type Facts = Pick<
  CandidateDevice,
  "name" | "host" | "tags" | "site" | "role" | "platform" | "team" | "poll_schedule" | "via"
>;

/** Name, address and the descriptive keys that are set (absent keys stay absent, as the schema wants). */
function facts(
  d: { [K in keyof Facts]?: Facts[K] | undefined } & Pick<Facts, "name" | "host" | "tags">,
): Facts {
  const out: Facts = { name: d.name, host: d.host, tags: d.tags };
  for (const key of ["site", "role", "platform", "team", "poll_schedule"] as const) {
    if (d[key] !== undefined) out[key] = d[key];
  }
  if (d.via !== undefined) out.via = d.via;
  return out;
}
