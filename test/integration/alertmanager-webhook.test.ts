import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { parseConfig } from "../../src/config/load.js";
import { silentLogger } from "../../src/lib/logger.js";
import { type Core, createCore } from "../../src/main.js";
import { waitFor } from "../support/orch-wait.js";
import {
  alertmanagerWebhookConfig,
  type RunningService,
  startAlertmanager,
} from "../support/prometheus-stack.js";
import { RecordingChat } from "../support/recording-chat.js";
import { tempDir } from "../support/temp.js";

/**
 * A real Alertmanager (Debian's prometheus-alertmanager) with a webhook receiver pointing at opsbot's
 * ops listener: alerts fire → one message in the routed channel; resolve updates it; redelivery adds
 * nothing; wrong or missing credentials → 401 and nothing stored.
 */
const TOKEN = "am-test-token-5b1f";
const dir = tempDir();
const chat = new RecordingChat();
let core: Core;
let opsPort: number;
let am: RunningService;

async function postAlerts(alerts: unknown[]): Promise<void> {
  const res = await fetch(`${am.url}/api/v2/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(alerts),
  });
  expect(res.status).toBe(200);
}

const webhookUrl = () => `http://127.0.0.1:${opsPort}/webhooks/alertmanager`;
const topLevel = () => chat.posts.filter((p) => !p.threadTs);
const groups = () => core.store.db.prepare("SELECT COUNT(*) FROM am_group").pluck().get() as number;

beforeAll(async () => {
  core = createCore({
    config: parseConfig(
      JSON.stringify({
        ops: { port: 0 },
        channels: { net: "C-NET", srv: "C-SRV" },
        alerts: { default_channel: "srv", routes: [{ sites: ["dc1"], channel: "net" }] },
        alertmanager: { bearer_token_env: "AM_TOKEN" },
      }),
      "test.yaml",
      {},
    ),
    dbPath: join(dir.path, "opsbot.db"),
    logger: silentLogger(),
    chat,
    env: { AM_TOKEN: TOKEN },
  });
  opsPort = (await core.ops.start())!;
  am = await startAlertmanager(alertmanagerWebhookConfig(webhookUrl(), TOKEN));
}, 120_000);

afterAll(async () => {
  await am?.stop();
  await core?.shutdown();
  dir.cleanup();
});

describe("Alertmanager webhook", () => {
  it("refuses a missing or wrong token and a malformed body, storing nothing", async () => {
    const body = JSON.stringify({ version: "4", groupKey: "x", status: "firing", receiver: "r", alerts: [] });
    const none = await fetch(webhookUrl(), { method: "POST", body });
    expect(none.status).toBe(401);
    const wrong = await fetch(webhookUrl(), {
      method: "POST",
      body,
      headers: { authorization: "Bearer nope" },
    });
    expect(wrong.status).toBe(401);
    const bad = await fetch(webhookUrl(), {
      method: "POST",
      body: JSON.stringify({ version: "3", alerts: "none" }),
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("version");
    expect(groups()).toBe(0);
    expect(chat.posts).toHaveLength(0);
  });

  it("posts one message per group in the routed channel, updates it on resolve, and ignores redelivery", async () => {
    const startsAt = new Date().toISOString();
    const alert = (instance: string, endsAt?: string) => ({
      labels: { alertname: "DiskFull", site: "dc1", instance, severity: "critical" },
      annotations: { summary: `disk full on ${instance}` },
      startsAt,
      ...(endsAt ? { endsAt } : {}),
    });
    await postAlerts([alert("db01:9100"), alert("db02:9100")]);
    await waitFor(() => topLevel().length === 1, 30_000, "the group message");
    await core.alertmanager!.idle();
    const msg = topLevel()[0]!;
    expect(msg.channel).toBe("C-NET");
    const text = replyToPlainText(msg.reply);
    expect(text).toContain("DiskFull");
    expect(text).toContain("2 firing");
    expect(text).toContain("disk full on db02:9100");

    // Redelivery of the exact body Alertmanager sent: no second message, no pointless update.
    const row = core.store.db.prepare("SELECT group_key FROM am_group").get() as { group_key: string };
    const updatesBefore = chat.updates.length;
    const again = {
      version: "4",
      groupKey: row.group_key,
      status: "firing",
      receiver: "opsbot",
      groupLabels: { alertname: "DiskFull", site: "dc1" },
      commonLabels: { alertname: "DiskFull", site: "dc1", severity: "critical" },
      commonAnnotations: {},
      externalURL: am.url,
      alerts: JSON.parse(
        JSON.stringify(
          Object.entries(
            JSON.parse(
              core.store.db.prepare("SELECT alerts FROM am_group").pluck().get() as string,
            ) as Record<string, object>,
          ).map(([fingerprint, a]) => ({ ...a, fingerprint })),
        ),
      ),
    };
    for (let i = 0; i < 2; i++) {
      const res = await fetch(webhookUrl(), {
        method: "POST",
        body: JSON.stringify(again),
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      });
      expect(res.status).toBe(200);
    }
    await core.alertmanager!.idle();
    expect(topLevel()).toHaveLength(1);
    expect(chat.updates.length).toBe(updatesBefore);

    // Resolve both: Alertmanager sends the resolved group; the same message is updated.
    const now = new Date().toISOString();
    await postAlerts([alert("db01:9100", now), alert("db02:9100", now)]);
    await waitFor(
      () => chat.updates.some((u) => u.ref.ts === msg.ts && replyToPlainText(u.reply).includes("resolved")),
      30_000,
      "the resolved update",
    );
    expect(topLevel()).toHaveLength(1);
    expect(groups()).toBe(1);
  });
});
