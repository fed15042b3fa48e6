import * as z from "zod";
import { parseDuration } from "../lib/clock.js";

/**
 * `ops:` — the ops HTTP listener (/healthz, /readyz, /metrics, webhooks), on in every long-running
 * mode. Loopback by default: Prometheus on the same host scrapes it; set host 0.0.0.0 to expose it.
 * In Slack HTTP mode the same routes are also served on Slack's port.
 */
export const opsSchema = z
  .object({
    enabled: z.boolean().default(true),
    host: z.string().min(1).default("127.0.0.1"),
    /** 0 picks a free port (tests). */
    port: z.number().int().min(0).max(65535).default(9464),
  })
  .strict();

export const OPS_DEFAULTS = { enabled: true, host: "127.0.0.1", port: 9464 };

const durationText = z.string().regex(/^(\d+(ms|s|m|h|d|w))+$/, "a duration such as 30s, 5m or 1h30m");

const basicAuth = z.object({ username: z.string().min(1), password_env: z.string().min(1) }).strict();

/** Credentials for a server opsbot calls: a bearer token or basic auth (both from env), never both. */
const oneCredential = <T extends { bearer_token_env?: string | undefined; basic_auth?: unknown }>(v: T) =>
  !(v.bearer_token_env && v.basic_auth);
const oneCredentialIssue = { message: "set bearer_token_env or basic_auth, not both", path: ["basic_auth"] };

/**
 * `sources.prometheus:` — a fleet data source. Devices marked `via: prometheus` (and, with
 * `discover`, every series of that PromQL query) take their ports, drives and versions from
 * Prometheus (snmp_exporter's metrics) instead of opsbot's own poller.
 */
export const prometheusSourceSchema = z
  .object({
    url: z.string().url(),
    bearer_token_env: z.string().min(1).optional(),
    basic_auth: basicAuth.optional(),
    /** How often the whole fleet is read. */
    interval: durationText
      .default("1m")
      .refine((v) => (parseDuration(v) ?? 0) >= 5000, "at least 5s: each pass asks Alertmanager once"),
    timeout: durationText.default("30s"),
    /** The label naming the device (matched to a device's host, then its name). */
    device_label: z.string().min(1).default("instance"),
    /**
     * Devices per query: the fleet is read in batches (a device-label regex matcher each), recorded
     * as each arrives, so memory follows the batch, not the fleet.
     */
    batch_size: z.number().int().min(1).max(5000).default(100),
    /** Batches queried at once. */
    batches_in_flight: z.number().int().min(1).max(16).default(3),
    /** Shortest rate() window for `graph` (query_range): at least twice the scrape interval. */
    rate_window: durationText.default("2m"),
    /** Label matchers added to every query, e.g. job="snmp". */
    matchers: z.string().default(""),
    /** PromQL whose series are devices too (e.g. up{job="snmp"}): named by device_label. */
    discover: z.string().min(1).optional(),
    site_label: z.string().min(1).optional(),
    /** Labels whose values become tags of discovered devices. */
    tag_labels: z.array(z.string().min(1)).default([]),
  })
  .strict()
  .refine(oneCredential, oneCredentialIssue);

export const sourcesSchema = z.object({ prometheus: prometheusSourceSchema.optional() }).strict();

export type OpsConfig = z.infer<typeof opsSchema>;
export type PrometheusSourceConfig = z.infer<typeof prometheusSourceSchema>;

/**
 * `alertmanager:` — alerts in through `POST /webhooks/alertmanager` (webhook payload v4), which must
 * carry the bearer token or basic-auth password named here (read from the environment).
 */
/**
 * `alertmanager.api:` — Alertmanager's own API v2, for the Silence / Unsilence buttons and
 * `silence am:ID`. Credentials come from the environment (an auth proxy in front of Alertmanager).
 */
export const alertmanagerApiSchema = z
  .object({
    url: z.string().url(),
    bearer_token_env: z.string().min(1).optional(),
    basic_auth: basicAuth.optional(),
    timeout: durationText.default("10s"),
    /** How often the running bot reads Alertmanager's silences (expiry, changes made there). */
    interval: durationText
      .default("1m")
      .refine((v) => (parseDuration(v) ?? 0) >= 5000, "at least 5s: each pass asks Alertmanager once"),
  })
  .strict()
  .refine(oneCredential, oneCredentialIssue);

export const alertmanagerSchema = z
  .object({
    /** Silences out (API v2); without it the group messages offer no Silence button. */
    api: alertmanagerApiSchema.optional(),
    bearer_token_env: z.string().min(1).optional(),
    basic_auth: basicAuth.optional(),
    /** Logical channel for groups no alert route matches (default alerts.default_channel). */
    channel: z.string().min(1).optional(),
  })
  .strict()
  .refine((v) => (v.bearer_token_env === undefined) !== (v.basic_auth === undefined), {
    message: "set exactly one of bearer_token_env or basic_auth: the webhook never accepts anonymous posts",
    path: ["bearer_token_env"],
  });

export type AlertmanagerConfig = z.infer<typeof alertmanagerSchema>;
export type AlertmanagerApiConfig = z.infer<typeof alertmanagerApiSchema>;
