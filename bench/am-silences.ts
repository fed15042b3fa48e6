import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { replyToPlainText } from "../src/chat/reply.js";
import { configSchema } from "../src/config/schema.js";
import { systemClock } from "../src/lib/clock.js";
import { silentLogger } from "../src/lib/logger.js";
import { createAlertmanager } from "../src/management/alertmanager/alertmanager.js";
import { amSilencesSection } from "../src/management/alertmanager/silences-answer.js";
import { openStore } from "../src/store/store.js";
import { alertmanagerWebhookConfig, startAlertmanager } from "../test/support/prometheus-stack.js";
import { RecordingChat } from "../test/support/recording-chat.js";
import { loadNow, medianRange, printTable } from "./stats.js";

/**
 * What Alertmanager's silences cost opsbot: a real Alertmanager (Debian's) holding EXTERNAL silences made
 * outside opsbot plus OURS created by opsbot for its groups. Per round, alternating, each REPEAT times:
 * the peer — a bare `GET /api/v2/silences` + JSON.parse, what any client pays — then one silence-sync
 * pass (the owner's schedule; nothing ends, so no message is touched) and one `silences` answer
 * (listing + rendering). Prints ms per call and the ratio to the peer of the same round.
 */
const EXTERNAL = Number(process.env.AM_BENCH_EXTERNAL ?? 2000);
const OURS = Number(process.env.AM_BENCH_OURS ?? 50);
const ROUNDS = 5;
const REPEAT = 10;

async function main(): Promise<void> {
  const am = await startAlertmanager(alertmanagerWebhookConfig("http://127.0.0.1:9/none", "t"));
  const dir = mkdtempSync(join(tmpdir(), "opsbot-am-bench-"));
  const store = openStore(join(dir, "b.db"));
  try {
    const now = Date.now();
    for (let i = 0; i < EXTERNAL; i++) {
      const res = await fetch(`${am.url}/api/v2/silences`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          matchers: [{ name: "instance", value: `host${i}:9100`, isRegex: false, isEqual: true }],
          startsAt: new Date(now).toISOString(),
          endsAt: new Date(now + 86_400_000).toISOString(),
          createdBy: `someone${i % 7}`,
          comment: "maintenance window",
        }),
      });
      if (res.status !== 200) throw new Error(`silence ${i}: HTTP ${res.status}`);
    }
    const config = configSchema.parse({
      alerts: { default_channel: "C1" },
      alertmanager: { bearer_token_env: "T", api: { url: am.url } },
    });
    const alertmanager = createAlertmanager({
      config: { ...config, alertmanager: config.alertmanager! },
      store,
      chat: new RecordingChat(),
      clock: systemClock,
      logger: silentLogger(),
      env: { T: "t" },
    });
    await seedOurs(alertmanager, store);

    const peer: number[] = [];
    const sync: number[] = [];
    const answer: number[] = [];
    const time = async (fn: () => Promise<unknown>) => {
      const t0 = performance.now();
      for (let i = 0; i < REPEAT; i++) await fn();
      return (performance.now() - t0) / REPEAT;
    };
    let lines = 0;
    for (let r = 0; r < ROUNDS; r++) {
      peer.push(await time(async () => JSON.parse(await (await fetch(`${am.url}/api/v2/silences`)).text())));
      sync.push(
        await time(async () => {
          const s = await alertmanager.silenceSync.sync();
          if (s.error || s.checked !== OURS || s.ended !== 0) throw new Error(`sync: ${JSON.stringify(s)}`);
        }),
      );
      answer.push(
        await time(async () => {
          const l = (await alertmanager.service.silences())!;
          if (l.silences.length !== EXTERNAL + OURS) throw new Error(`listed ${l.silences.length}`);
          const { blocks } = amSilencesSection(l, Date.now());
          lines = replyToPlainText({ blocks }).split("\n").length;
        }),
      );
    }
    const ratio = (xs: number[]) => xs.map((x, i) => x / peer[i]!);
    printTable(
      `Alertmanager silences: ${EXTERNAL} made outside opsbot + ${OURS} opsbot's, ${ROUNDS} rounds × ${REPEAT} (${loadNow()})`,
      [
        ["peer: GET /api/v2/silences + JSON.parse (ms)", medianRange(peer)],
        ["silence sync pass (ms)", medianRange(sync)],
        ["  ÷ peer (same round)", medianRange(ratio(sync))],
        ["`silences` Alertmanager section (ms)", medianRange(answer)],
        ["  ÷ peer (same round)", medianRange(ratio(answer))],
        ["answer lines", String(lines)],
      ],
    );
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
    await am.stop();
  }
}

/** OURS groups, each silenced through opsbot (a real silence in Alertmanager, recorded in the store). */
async function seedOurs(
  alertmanager: ReturnType<typeof createAlertmanager>,
  store: ReturnType<typeof openStore>,
): Promise<void> {
  for (let g = 0; g < OURS; g++) {
    const alertname = `Bench${g}`;
    const body = JSON.stringify({
      version: "4",
      groupKey: `{}:{alertname="${alertname}"}`,
      status: "firing",
      receiver: "opsbot",
      groupLabels: { alertname },
      commonLabels: { alertname, instance: `db${g}` },
      alerts: [
        {
          status: "firing",
          labels: { alertname, instance: `db${g}` },
          startsAt: new Date().toISOString(),
          fingerprint: `f${g}`,
        },
      ],
    });
    const res = await alertmanager.webhook.route.handle({
      method: "POST",
      url: new URL("http://127.0.0.1/webhooks/alertmanager"),
      headers: { authorization: "Bearer t" },
      body: Buffer.from(body),
    });
    if (res.status !== 200) throw new Error(`webhook: ${res.status}`);
    const id = store.db
      .prepare("SELECT id FROM am_group_action WHERE group_key = ?")
      .pluck()
      .get(`{}:{alertname="${alertname}"}`) as number;
    await alertmanager.service.silence({
      groupId: id,
      duration: "1d",
      user: { id: "U1", name: "bench", roles: [] },
    });
  }
  await alertmanager.webhook.idle();
}

await main();
