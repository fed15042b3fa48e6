import * as z from "zod";

/** Alertmanager's webhook body, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
const labels = z.record(z.string(), z.string());

export const amAlertSchema = z.object({
  status: z.enum(["firing", "resolved"]),
  labels,
  annotations: labels.default({}),
  startsAt: z.string(),
  endsAt: z.string().default(""),
  generatorURL: z.string().default(""),
  fingerprint: z.string().min(1),
});

export const amWebhookSchema = z.object({
  version: z.literal("4"),
  groupKey: z.string().min(1),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(["firing", "resolved"]),
  receiver: z.string(),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: labels.default({}),
  externalURL: z.string().default(""),
  alerts: z.array(amAlertSchema),
});

export type AmAlert = z.infer<typeof amAlertSchema>;
export type AmWebhook = z.infer<typeof amWebhookSchema>;

/** Parses a body, or returns every problem with its path (for the 400 answer and the log). */
export function parseWebhook(
  body: Buffer,
): { ok: true; value: AmWebhook } | { ok: false; problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch (err) {
    return { ok: false, problems: [`body is not JSON: ${(err as Error).message}`] };
  }
  const r = amWebhookSchema.safeParse(json);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, problems: r.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`) };
}
