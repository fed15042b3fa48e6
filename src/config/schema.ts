import * as z from "zod";
import { DIRECT_MESSAGES } from "../lib/channel-scope.js";
import { DEFAULT_TIMEZONE, isTimezone } from "../lib/cron.js";
import { approvalsSchema, roleGrantSchema, splitRoleGrants } from "./access-schema.js";
import { ALERTS_DEFAULTS, alertsSchema } from "./alerts-schema.js";
import { INVENTORY_DEFAULTS, inventorySchema, profilesSchema } from "./inventory-schema.js";
import { alertmanagerSchema, OPS_DEFAULTS, opsSchema, sourcesSchema } from "./ops-schema.js";
import { OUTBOX_DEFAULTS, outboxSchema } from "./outbox-schema.js";
import { OWNER_DEFAULTS, ownerSchema, RETENTION_DEFAULTS, retentionSchema } from "./runtime-schema.js";

/**
 * The opsbot.yaml schema. Keys are snake_case as users write them; the parsed object keeps them.
 * Each subsystem owns its section; defaults live here so the example config can stay short.
 */
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "a name of letters, digits, '.', '_' or '-'");

const port = z.number().int().min(1).max(65535);

export const snmpV3Schema = z
  .object({
    user: z.string().min(1),
    level: z.enum(["noAuthNoPriv", "authNoPriv", "authPriv"]).default("authPriv"),
    auth_protocol: z.enum(["md5", "sha", "sha224", "sha256", "sha384", "sha512"]).default("sha256"),
    auth_key: z.string().min(8, "at least 8 characters (RFC 3414)").optional(),
    priv_protocol: z.enum(["des", "aes", "aes256b", "aes256r"]).default("aes"),
    priv_key: z.string().min(8, "at least 8 characters (RFC 3414)").optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.level !== "noAuthNoPriv" && !v.auth_key) {
      ctx.addIssue({ code: "custom", path: ["auth_key"], message: `required for level ${v.level}` });
    }
    if (v.level === "authPriv" && !v.priv_key) {
      ctx.addIssue({ code: "custom", path: ["priv_key"], message: "required for level authPriv" });
    }
  });

export const snmpSchema = z
  .object({
    port: port.default(161),
    version: z.enum(["2c", "3"]).default("2c"),
    community: z.string().min(1).optional(),
    v3: snmpV3Schema.optional(),
    timeout_ms: z.number().int().min(100).max(60_000).default(2000),
    retries: z.number().int().min(0).max(10).default(1),
    max_repetitions: z.number().int().min(1).max(200).default(25),
    /** Collectors to run; default all that apply. */
    collect: z.array(z.enum(["system", "interfaces", "entity", "drives"])).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.version === "2c" && !v.community) {
      ctx.addIssue({
        code: "custom",
        path: ["community"],
        message: "required for version 2c (e.g. ${SNMP_COMMUNITY})",
      });
    }
    if (v.version === "3" && !v.v3) {
      ctx.addIssue({
        code: "custom",
        path: ["v3"],
        message: "required for version 3: { user, auth_key, priv_key, … }",
      });
    }
  });

export const sshSchema = z
  .object({
    user: z.string().min(1),
    port: port.default(22),
    /** Pinned host key line: "ssh-ed25519 AAAA…". Either this or known_hosts is required. */
    host_key: z.string().optional(),
    /** Path of a known_hosts file holding this host's key. */
    known_hosts: z.string().optional(),
    /** Private key file for authentication. */
    key_file: z.string().optional(),
    /** Name of the environment variable holding the key's passphrase (never the passphrase itself). */
    passphrase_env: z.string().optional(),
    connect_timeout_ms: z.number().int().min(100).max(120_000).default(10_000),
    /**
     * Liveness of an open connection: a keepalive every interval; silence for interval × count means the
     * connection is lost, and a runbook step running on it ends with an unknown outcome (docs/runbooks.md).
     */
    keepalive_interval_ms: z.number().int().min(100).max(600_000).default(15_000),
    keepalive_count_max: z.number().int().min(2).max(100).default(3),
    command_timeout_ms: z.number().int().min(100).max(86_400_000).default(60_000),
    max_output_bytes: z.number().int().min(1024).default(1_048_576),
    /**
     * posix: commands run under `sh -c`, inside the host's `timeout` when it has one (servers).
     * none: commands are sent verbatim (network OS CLIs such as IOS or JunOS).
     */
    shell: z.enum(["posix", "none"]).default("posix"),
    /** Drive-health collectors the poller runs over SSH (smartctl needs root or equivalent rights). */
    collect: z.array(z.enum(["smart", "raid"])).optional(),
  })
  .strict()
  .refine((v) => v.host_key !== undefined || v.known_hosts !== undefined, {
    message: "pin the host key: set host_key (run `opsbot ssh-keyscan <device>`) or known_hosts",
    path: ["host_key"],
  });

/** A regular expression given as a string; compiled at load so a typo is a config error, not a crash. */
const regexString = z.string().refine(
  (v) => {
    try {
      new RegExp(v, "m");
      return true;
    } catch {
      return false;
    }
  },
  { message: "not a valid regular expression" },
);

/** Nightly config backup of a device over SSH (management; see src/management/backups). */
export const backupSchema = z
  .object({
    /** What prints the config: "show running-config", "cat /etc/nginx/nginx.conf /etc/hosts", … */
    command: z.string().min(1),
    /** Lines matching any of these are dropped before comparing and storing (timestamps, counters). */
    ignore_lines: z.array(regexString).default([]),
    /** Secrets to mask before storage, on top of the built-in patterns; capture groups are masked, else the match. */
    mask: z.array(regexString).default([]),
    /** Cron expression; default backups.schedule. */
    schedule: z.string().optional(),
    /** Versions to keep; default backups.keep. */
    keep: z.number().int().min(1).max(10_000).optional(),
    timeout_ms: z.number().int().min(1000).max(3_600_000).optional(),
  })
  .strict();

export const deviceSchema = z
  .object({
    name,
    host: z.string().min(1),
    tags: z.array(z.string().min(1)).default([]),
    site: z.string().optional(),
    /** Team that owns the device (alert routing). */
    team: z.string().optional(),
    /** Device role and platform (as in NetBox), matched by profiles. */
    role: z.string().optional(),
    platform: z.string().optional(),
    /** Take SNMP/SSH/backup settings from this profile first (see profiles). */
    profile: z.string().optional(),
    /** Poll schedule override (cron expression); default is polling.schedule. */
    poll_schedule: z.string().optional(),
    snmp: snmpSchema.optional(),
    ssh: sshSchema.optional(),
    backup: backupSchema.optional(),
    /** Where its fleet data comes from: opsbot's own poller (default) or the Prometheus source. */
    via: z.enum(["poller", "prometheus"]).optional(),
  })
  .strict();

const durationText = z.string().regex(/^(\d+(ms|s|m|h|d|w))+$/, "a duration such as 30s, 5m or 1h30m");

/** Runbooks and the run engine (src/orchestration). */
export const orchestrationSchema = z
  .object({
    /** Allow runbook steps that run commands on the bot host itself. */
    allow_local: z.boolean().default(false),
    runbooks_dir: z.string().min(1).default("./runbooks"),
    /** Reload runbooks when files change (otherwise only at start-up). */
    watch: z.boolean().default(true),
    /** Output kept per step in the store; beyond it the head is dropped and the tail kept. */
    output_cap_bytes: z.number().int().min(1024).default(4_194_304),
    /** Timeout per step attempt when the runbook sets none. */
    default_step_timeout: durationText.default("30m"),
    /** How long a run request (or a mid-run approval) waits for approvers by default. */
    approval_expires_in: durationText.default("30m"),
    /** Logical channel (from channels) for notify steps without one; default the run's own channel. */
    notify_channel: z.string().min(1).optional(),
    /** Who may request a runbook that names no `runners:` (role:<r>, user:<id>, group:<S…>). */
    default_runners: z.array(z.string().min(1)).default(["role:oncall"]),
    /** On stop, how long running steps may take to finish before they are marked interrupted. */
    shutdown_grace: durationText.default("30s"),
  })
  .strict();

const ORCHESTRATION_DEFAULTS = {
  allow_local: false,
  runbooks_dir: "./runbooks",
  watch: true,
  output_cap_bytes: 4_194_304,
  default_step_timeout: "30m",
  approval_expires_in: "30m",
  default_runners: ["role:oncall"],
  shutdown_grace: "30s",
};

export const configSchema = z
  .object({
    /** IANA time zone of every schedule (polling, backups, digest, maintenance) and of times in answers. */
    timezone: z
      .string()
      .refine(isTimezone, 'an IANA time zone such as "UTC" or "Europe/Berlin"')
      .default(DEFAULT_TIMEZONE),
    /**
     * Role name → members (console user names, Slack user ids `U…`, Slack user group ids `S…`), or
     * `{ members, channels }` for a role that only holds in those channels.
     */
    roles: z.record(name, roleGrantSchema).default({}),
    /** Break-glass approvals (off unless configured). */
    approvals: approvalsSchema.default({}),
    /** Logical channel name → transport channel (Slack id `C…` or `#name`; any name in the console). */
    channels: z.record(name, z.string().min(1)).default({}),
    console: z
      .object({ user: z.string().min(1).optional(), channel: z.string().min(1).default("console") })
      .strict()
      .default({ channel: "console" }),
    polling: z
      .object({
        schedule: z.string().default("*/5 * * * *"),
        /** Random delay added to each scheduled poll, spreading load. */
        jitter_ms: z.number().int().min(0).default(10_000),
        concurrency: z.number().int().min(1).max(1000).default(32),
      })
      .strict()
      .default({ schedule: "*/5 * * * *", jitter_ms: 10_000, concurrency: 32 }),
    /** Model → required firmware: { min: "15.2(7)E" } or { exact: "9.3(10)" }. */
    firmware_baselines: z
      .record(
        z.string().min(1),
        z
          .object({ min: z.string().optional(), exact: z.string().optional() })
          .strict()
          .refine(
            (b) => (b.min === undefined) !== (b.exact === undefined),
            "set exactly one of min or exact",
          ),
      )
      .default({}),
    /** Defaults for device backup profiles. */
    backups: z
      .object({
        schedule: z.string().default("0 2 * * *"),
        keep: z.number().int().min(1).max(10_000).default(30),
        /** Extra mask patterns applied to every device's backups. */
        mask: z.array(regexString).default([]),
      })
      .strict()
      .default({ schedule: "0 2 * * *", keep: 30, mask: [] }),
    orchestration: orchestrationSchema.default(ORCHESTRATION_DEFAULTS),
    /** Alert rules, routing, maintenance windows and digest (src/management/alerts). */
    alerts: alertsSchema.default(ALERTS_DEFAULTS),
    devices: z.array(deviceSchema).default([]),
    /** The ops HTTP listener: /healthz, /readyz, /metrics, webhooks. */
    ops: opsSchema.default(OPS_DEFAULTS),
    /** The Slack outbox's memory bound and spill (messages waiting while Slack is down). */
    outbox: outboxSchema.default(OUTBOX_DEFAULTS),
    /** Fleet data sources besides the built-in poller. */
    sources: sourcesSchema.default({}),
    /** Alertmanager webhook in (and silences out). */
    alertmanager: alertmanagerSchema.optional(),
    /** Named SNMP/SSH/backup settings matched to devices by tag, site, role or platform. */
    profiles: profilesSchema({ snmp: snmpSchema.shape, ssh: sshSchema.shape, backup: backupSchema.shape }),
    /** Devices from NetBox and Ansible inventories, merged with `devices` (see README). */
    inventory: inventorySchema.default(INVENTORY_DEFAULTS),
    /** The owner lease (one bot per database) and its control socket. */
    owner: ownerSchema.default(OWNER_DEFAULTS),
    /**
     * How long stored history is kept; the owner prunes daily, `opsbot prune` on demand. `series` (time
     * series, src/management/history) is pruned as each poll is written.
     */
    retention: retentionSchema.default(RETENTION_DEFAULTS),
    /** Extra secret values to redact from output and logs (usually ${VAR} references). */
    secrets: z.array(z.string()).default([]),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    for (const [name, p] of Object.entries(cfg.profiles))
      if (p.via === "prometheus" && !cfg.sources.prometheus)
        ctx.addIssue({
          code: "custom",
          path: ["profiles", name, "via"],
          message: "via: prometheus needs a sources.prometheus section (url, …)",
        });
    const seen = new Map<string, number>();
    cfg.devices.forEach((d, i) => {
      const prev = seen.get(d.name.toLowerCase());
      if (prev !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["devices", i, "name"],
          message: `duplicate device name (also devices[${prev}])`,
        });
      }
      seen.set(d.name.toLowerCase(), i);
      if (d.via === "prometheus" && !cfg.sources.prometheus) {
        const message = "via: prometheus needs a sources.prometheus section (url, …)";
        ctx.addIssue({ code: "custom", path: ["devices", i, "via"], message });
      }
      if (d.profile !== undefined && !(d.profile in cfg.profiles)) {
        const known = Object.keys(cfg.profiles).join(", ") || "none defined";
        ctx.addIssue({
          code: "custom",
          path: ["devices", i, "profile"],
          message: `no profile "${d.profile}" (profiles: ${known})`,
        });
      }
      if (d.backup && !d.ssh && d.profile === undefined && Object.keys(cfg.profiles).length === 0) {
        const message = "needs an ssh section: backups run over SSH";
        ctx.addIssue({ code: "custom", path: ["devices", i, "backup"], message });
      }
    });
    const known = (logical: string) => logical === DIRECT_MESSAGES || logical in cfg.channels;
    const channelList = [...Object.keys(cfg.channels), DIRECT_MESSAGES].join(", ");
    for (const [role, grant] of Object.entries(cfg.roles)) {
      if (Array.isArray(grant)) continue;
      grant.channels.forEach((c, j) => {
        if (!known(c))
          ctx.addIssue({
            code: "custom",
            path: ["roles", role, "channels", j],
            message: `unknown channel "${c}" (expected one of: ${channelList})`,
          });
      });
    }
    const glass = cfg.approvals.break_glass;
    if (glass && !(glass.announce in cfg.channels) && !/^(#|[CG][A-Z0-9]{2,}$)/.test(glass.announce)) {
      ctx.addIssue({
        code: "custom",
        path: ["approvals", "break_glass", "announce"],
        message: `unknown channel "${glass.announce}" (a name from channels:, a #name or a channel id)`,
      });
    }
  })
  // Everything else reads roles as member lists; the channel limits of scoped grants ride beside them.
  .transform((cfg) => ({ ...cfg, ...splitRoleGrants(cfg.roles) }));

type ParsedConfig = z.infer<typeof configSchema>;
/** The parsed config; `role_channels` is optional so hand-built test configs need not name it. */
export type Config = Omit<ParsedConfig, "role_channels"> & { role_channels?: Record<string, string[]> };
export type DeviceConfig = z.infer<typeof deviceSchema>;
export type SnmpConfig = z.infer<typeof snmpSchema>;
export type SshConfig = z.infer<typeof sshSchema>;
export type OrchestrationConfig = z.infer<typeof orchestrationSchema>;
export type BackupConfig = z.infer<typeof backupSchema>;
