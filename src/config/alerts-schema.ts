import * as z from "zod";
import { cronProblem } from "../lib/cron.js";
import { PARSE_ONCE } from "../lib/parse-once.js";

/**
 * The `alerts:` section of opsbot.yaml. Everything has a default, so an empty section (or none) gives
 * sensible alerting: port down only on ports that matter, drives, RAID, firmware, reachability, backups.
 */
const duration = z
  .string()
  .regex(/^(0|(\d+(ms|s|m|h|d|w))+)$/, "a duration such as 30s, 5m or 1h30m (0 = off)");
const severity = z.enum(["info", "warning", "critical"]);

export const RULE_NAMES = [
  "port_down",
  "drive",
  "raid_degraded",
  "firmware_drift",
  "firmware_changed",
  "device_unreachable",
  "backup_failed",
  "backup_changed",
  "error_rate",
] as const;
export type RuleName = (typeof RULE_NAMES)[number];

const ruleOverride = z
  .object({
    enabled: z.boolean().optional(),
    /** Fixed severity (drive: warning/failed pick their own unless set here). */
    severity: severity.optional(),
    /** How long the condition must last before the alert fires. */
    hold: duration.optional(),
    /** Remind in the thread this often while firing and not acked; 0 = never. */
    renotify: duration.optional(),
    /** Announce recovery (update + thread note). */
    recovery: z.boolean().optional(),
    /** device_unreachable: consecutive failed polls before it fires. */
    after_failures: z.number().int().min(1).max(1000).optional(),
    /** error_rate: errors per minute (in + out) that raise the alert… */
    threshold: z.number().positive().optional(),
    /** …and the lower rate that clears it (hysteresis: between the two nothing changes). */
    clear_threshold: z.number().min(0).optional(),
    /** Offered as a "Run …" button; params may use {device} and {object}. */
    runbook: z
      .object({ name: z.string().min(1), params: z.record(z.string(), z.string()).default({}) })
      .strict()
      .optional(),
  })
  .strict();

const routeSchema = z
  .object({
    /** Any of these device tags (empty: any). */
    tags: z.array(z.string()).default([]),
    sites: z.array(z.string()).default([]),
    rules: z.array(z.enum(RULE_NAMES)).default([]),
    severities: z.array(severity).default([]),
    devices: z.array(z.string()).default([]),
    /** Logical channel from `channels:` or a transport channel. */
    channel: z.string().min(1),
  })
  .strict();

const maintenanceSchema = z
  .object({
    name: z.string().min(1),
    devices: z.array(z.string()).default([]),
    tags: z.array(z.string()).default([]),
    sites: z.array(z.string()).default([]),
    /** One-off window: ISO times. */
    start: z.iso.datetime({ offset: true }).optional(),
    end: z.iso.datetime({ offset: true }).optional(),
    /** Recurring window: a cron expression (in `timezone`) for the start, and its length. */
    cron: z
      .string()
      .refine(
        (c) => cronProblem(c) === undefined,
        'a cron expression such as "0 2 * * SAT" or "@daily" (minute hour day month weekday)',
      )
      .optional(),
    duration: duration.optional(),
  })
  .strict()
  .refine(
    (m) =>
      (m.start !== undefined && m.end !== undefined) !== (m.cron !== undefined && m.duration !== undefined),
    "set either start and end (one-off) or cron and duration (recurring)",
  );

export const alertsSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Where alerts go when no route matches. */
    default_channel: z.string().min(1).default("alerts"),
    routes: z.array(routeSchema).default([]),
    rules: z.partialRecord(z.enum(RULE_NAMES), ruleOverride).default({}),
    /** Which ports raise port_down. Never every access port by default. */
    ports: z
      .object({
        /** Ports with a description (ifAlias): uplinks and anything someone bothered to name. */
        aliased: z.boolean().default(true),
        /** Every admin-up port of devices with one of these tags (e.g. core, uplink). */
        device_tags: z.array(z.string()).default([]),
        /** Explicit "device:port" entries; `*` wildcards allowed ("core-*:Te1/1/*"). */
        explicit: z.array(z.string().includes(":")).default([]),
      })
      .strict()
      .default({ aliased: true, device_tags: [], explicit: [] }),
    flapping: z
      .object({
        transitions: z.number().int().min(2).default(4),
        window: duration.default("10m"),
        /** Flapping ends after this long without a transition. */
        settle: duration.default("10m"),
      })
      .strict()
      .default({ transitions: 4, window: "10m", settle: "10m" }),
    maintenance: z.array(maintenanceSchema).default([]),
    digest: z
      .object({
        schedule: z
          .string()
          .refine((c) => cronProblem(c) === undefined, 'a cron expression such as "0 8 * * *"')
          .default("0 8 * * *"),
        channel: z.string().min(1),
      })
      .strict()
      .optional(),
    /** How often the engine reads the change log and checks hold times. */
    interval: duration.default("15s"),
    /** The longest silence `silence` accepts without `--force`: a forgotten silence hides real alerts. */
    max_silence: duration.default("7d"),
  })
  .strict();

export type AlertsConfig = z.infer<typeof alertsSchema>;
export const ALERTS_DEFAULTS: AlertsConfig = alertsSchema.parse({}, PARSE_ONCE);
