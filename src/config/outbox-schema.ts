import * as z from "zod";

const duration = z.string().regex(/^(\d+(ms|s|m|h|d|w))+$/, "a duration such as 500ms, 10s or 1m");

/**
 * `outbox:` — how the Slack outbox waits while Slack is slow or down. Up to `memory_messages` /
 * `memory_mb` wait in memory; beyond that messages spill to the database and are delivered in order
 * when Slack answers again (also after a restart). `hard_messages` / `hard_mb` bound memory when the
 * database cannot take them either: past that the oldest thread replies, then the oldest of any kind,
 * are dropped, each logged and counted in opsbot_outbox_dropped_total. File uploads wait in memory only.
 */
export const outboxSchema = z
  .object({
    memory_messages: z.number().int().min(1).max(1_000_000).default(200),
    memory_mb: z.number().min(0.01).max(4096).default(4),
    hard_messages: z.number().int().min(1).max(10_000_000).default(2000),
    hard_mb: z.number().min(0.01).max(16_384).default(32),
    /** Longest wait between retries of a message Slack refused (5xx, network); 429s wait Retry-After. */
    retry_max: duration.default("30s"),
    /** How long a stop waits for Slack before saving what is left to the database. */
    drain_on_stop: duration.default("10s"),
    /** Spacing of writes to one channel (Slack allows about one a second; keep 1s). */
    channel_interval: duration.default("1s"),
  })
  .strict()
  .refine((o) => o.hard_messages >= o.memory_messages && o.hard_mb >= o.memory_mb, {
    message: "hard_messages and hard_mb must be at least memory_messages and memory_mb",
    path: ["hard_messages"],
  });

export const OUTBOX_DEFAULTS = {
  memory_messages: 200,
  memory_mb: 4,
  hard_messages: 2000,
  hard_mb: 32,
  retry_max: "30s",
  drain_on_stop: "10s",
  channel_interval: "1s",
};

export type OutboxConfig = z.infer<typeof outboxSchema>;
