import type { PostedMessage, SlackEmulator } from "./slack-emulator/index.js";

/**
 * Alerts pushed into a real Alertmanager (API v2, as Prometheus does) for the e2e tests, and the group
 * message opsbot posts for them. Every alert: site dc1, severity critical, one per instance.
 */
export async function fireAlert(
  amUrl: string,
  alertname: string,
  o: { annotations?: Record<string, string>; instances?: string[] } = {},
): Promise<void> {
  const res = await fetch(`${amUrl}/api/v2/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(
      (o.instances ?? ["db01:9100"]).map((instance) => ({
        labels: { alertname, site: "dc1", instance, severity: "critical" },
        annotations: { summary: `${alertname} on ${instance.split(":")[0]}`, ...o.annotations },
        startsAt: new Date().toISOString(),
      })),
    ),
  });
  if (res.status !== 200)
    throw new Error(`Alertmanager refused the alert: HTTP ${res.status} ${await res.text()}`);
}

/** The group's top-level message in `channel` (its text names the alertname). */
export const amGroupMessage = (
  emu: SlackEmulator,
  channel: string,
  alertname: string,
): PostedMessage | undefined =>
  emu.workspace.channelMessages(channel).find((m) => !m.threadTs && m.text.includes(alertname));

/** Fires each alert, then waits until opsbot has posted a group message for every one in `channel`. */
export async function fireAndAwaitMessages(
  emu: SlackEmulator,
  amUrl: string,
  channel: string,
  alerts: [alertname: string, o?: { annotations?: Record<string, string>; instances?: string[] }][],
): Promise<void> {
  for (const [alertname, o] of alerts) await fireAlert(amUrl, alertname, o);
  await emu.waitFor(
    "the group messages",
    () => alerts.every(([alertname]) => amGroupMessage(emu, channel, alertname)),
    30_000,
  );
}

/** What people did to the group named by `alertname` (its am_group_action row: id, silence, ack). */
export function amGroupAction<T = Record<string, unknown>>(
  db: { prepare(sql: string): { get(...args: unknown[]): unknown } },
  alertname: string,
): T {
  return db
    .prepare(
      "SELECT a.* FROM am_group g JOIN am_group_action a USING (group_key) WHERE json_extract(g.group_labels, '$.alertname') = ?",
    )
    .get(alertname) as T;
}
