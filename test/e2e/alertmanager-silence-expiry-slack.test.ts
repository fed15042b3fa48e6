import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { ManualClock } from "../../src/lib/clock.js";
import { formatDateTime } from "../../src/lib/time-format.js";
import { amGroupAction, amGroupMessage, fireAndAwaitMessages } from "../support/alertmanager-alerts.js";
import {
  type Bot,
  buttonValue,
  clickPayload,
  person,
  SEED,
  startBot,
  USERS,
} from "../support/approvals-harness.js";
import {
  alertmanagerWebhookConfig,
  freeTcpPort,
  type RunningService,
  startAlertmanager,
} from "../support/prometheus-stack.js";
import {
  type PostedMessage,
  type SlackEmulator,
  startSlackEmulator,
} from "../support/slack-emulator/index.js";
import { tempDir } from "../support/temp.js";

/**
 * `silences` with Alertmanager's silences, and a silence's end reaching its group's message without a
 * new delivery: a real Alertmanager (Debian's prometheus-alertmanager on loopback), the real Bolt app
 * against the Slack emulator, opsbot's clock a manual one (started at real time, since Alertmanager
 * checks silence times against its own clock) moved by hand instead of waiting an hour.
 */
const TOKEN = "am-expiry-token-5d20";
const ALERTS = "C0ALERTS1";
const HOUR = 3_600_000;

interface ListedSilence {
  id: string;
  status: { state: string };
  endsAt: string;
}
interface SilencesData {
  silences: unknown[];
  alertmanager: {
    url: string | null;
    readable: boolean;
    error: string | null;
    silences: {
      id: string;
      source: string;
      group: string | null;
      state: string;
      matchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[];
      createdBy: string;
      endsAt: string;
      remainingSeconds: number;
    }[];
  };
}

let emu: SlackEmulator;
let bot: Bot;
let am: RunningService;
let amStopped = false;
let opsPort: number;
const dir = tempDir();
const clock = new ManualClock(Date.now());

const yaml = () => `roles:
  oncall: [${USERS.bob}, ${USERS.alice}]
channels: { alerts: ${ALERTS} }
alerts: { default_channel: alerts }
ops: { port: ${opsPort} }
alertmanager:
  bearer_token_env: AM_TOKEN
  api: { url: ${JSON.stringify(am.url)}, timeout: 2s, interval: 1h }
`;
const start = (owner = false) =>
  startBot({
    emu,
    dbPath: join(dir.path, "opsbot.db"),
    env: { AM_TOKEN: TOKEN },
    channelIntervalMs: 50,
    clock,
    owner,
    yaml: yaml(),
  });

async function amApi(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${am.url}/api/v2/${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
}
const listed = async () => (await (await amApi("GET", "silences")).json()) as ListedSilence[];

const groupMessage = (alertname: string): PostedMessage => amGroupMessage(emu, ALERTS, alertname)!;
const shown = (alertname: string) => JSON.stringify(groupMessage(alertname).blocks);
const groupId = (alertname: string) => amGroupAction<{ id: number }>(bot.core.store.db, alertname).id;
const silenceId = (alertname: string) =>
  amGroupAction<{ silence_id: string | null }>(bot.core.store.db, alertname).silence_id;

async function silenceFromChat(alertname: string): Promise<string> {
  await emu.socket.deliver(
    "interactive",
    clickPayload(emu, USERS.bob, groupMessage(alertname), "am.silence"),
  );
  await emu.waitFor(`${alertname} silenced`, () => buttonValue(groupMessage(alertname), "am.unsilence"));
  return silenceId(alertname)!;
}

async function silencesAnswer() {
  const r = await bot.core.router.handle("silences", {
    user: { id: USERS.alice, name: "alice", roles: [] },
    channel: ALERTS,
    transport: "console",
  });
  return { text: replyToPlainText(r.reply), data: r.reply.data as unknown as SilencesData };
}

const sync = () => bot.core.alertmanagerSilences!.sync();
/** Waits until the outbox has delivered what a sync refreshed. */
const settled = (alertname: string, updates: number) =>
  emu.waitFor(
    `${alertname} updated ${updates}×`,
    () => groupMessage(alertname).updates >= updates || undefined,
  );

beforeAll(async () => {
  emu = await startSlackEmulator({ seed: SEED, rateLimits: { channelIntervalMs: 50 } });
  opsPort = await freeTcpPort();
  am = await startAlertmanager(
    // max_alerts: a group of more alerts than that arrives cut short (truncatedAlerts).
    alertmanagerWebhookConfig(`http://127.0.0.1:${opsPort}/webhooks/alertmanager`, TOKEN, { maxAlerts: 2 }),
  );
  bot = await start();
  await bot.core.ops.start();
  await fireAndAwaitMessages(emu, am.url, ALERTS, [
    ["DiskFull"],
    ["FanFail"],
    ["LinkFlap", { instances: ["sw1:161", "sw2:161", "sw3:161"] }],
  ]);
}, 120_000);

afterAll(async () => {
  if (!amStopped) await am?.stop();
  await bot?.stop();
  await bot?.core.ops.stop();
  await emu?.stop();
  dir.cleanup();
});

describe("Alertmanager silences in `silences` and on group messages (real Alertmanager, Slack emulator)", () => {
  it("a group Alertmanager cut short (webhook max_alerts) says how many alerts it left out", () => {
    const m = groupMessage("LinkFlap");
    expect(m.text + shown("LinkFlap")).toContain("2 firing, 1 more not sent");
    expect(shown("LinkFlap")).toContain("Alertmanager left out 1 more alert of this group");
    expect(shown("DiskFull")).not.toContain("left out");
  });

  it("`silences` lists Alertmanager's silences, opsbot's and those made outside it, each with its source", async () => {
    const ours = await silenceFromChat("DiskFull");
    await silenceFromChat("FanFail");
    const made = await amApi("POST", "silences", {
      matchers: [{ name: "instance", value: "web.*", isRegex: true, isEqual: true }],
      startsAt: new Date(clock.now()).toISOString(),
      endsAt: new Date(clock.now() + 3 * HOUR).toISOString(),
      createdBy: "grafana:erin",
      comment: "web tier migration",
    });
    expect(made.status).toBe(200);
    const outside = ((await made.json()) as { silenceID: string }).silenceID;

    const { text, data } = await silencesAnswer();
    // The existing payload is unchanged; Alertmanager's comes beside it.
    expect(data.silences).toEqual([]);
    expect(data.alertmanager.readable).toBe(true);
    const rows = data.alertmanager.silences;
    const byId = (id: string | null) => rows.find((r) => r.id === id);
    expect(rows).toHaveLength(3);
    expect(byId(ours)).toMatchObject({ source: "opsbot", group: `am:${groupId("DiskFull")}` });
    expect(byId(silenceId("FanFail"))).toMatchObject({ source: "opsbot", group: `am:${groupId("FanFail")}` });
    const ext = byId(outside)!;
    expect(ext).toMatchObject({ source: "alertmanager", group: null, state: "active" });
    expect(ext.createdBy).toBe("grafana:erin");
    expect(ext.matchers).toEqual([{ name: "instance", value: "web.*", isRegex: true, isEqual: true }]);
    expect(ext.endsAt).toBe(new Date(clock.now() + 3 * HOUR).toISOString());
    expect(ext.remainingSeconds).toBe(3 * 3600);
    expect(byId(ours)!.createdBy).toBe(`bob (Slack ${USERS.bob})`);
    expect(text).toContain("No active opsbot alert silences.");
    expect(text).toContain("made in Alertmanager");
    expect(text).toContain('instance=~"web.*"');
    expect(text).toContain("3h 0m");

    // The same answer in Slack, through the slash command.
    await person(emu).slash(USERS.alice, ALERTS, "silences");
    await emu.waitFor("the silences answer in Slack", () =>
      emu.workspace.messages.find(
        (m) => m.text.includes("made in Alertmanager") && m.text.includes("grafana:erin"),
      ),
    );
  });

  it("a silence extended in Alertmanager moves the end the message shows", async () => {
    const id = silenceId("DiskFull")!;
    const until = clock.now() + 2 * HOUR;
    const [s] = (await listed()).filter((x) => x.id === id) as (ListedSilence & Record<string, unknown>)[];
    const res = await amApi("POST", "silences", { ...s, endsAt: new Date(until).toISOString() });
    expect(res.status).toBe(200);
    // Alertmanager keeps the id when only the end of an active silence changes.
    expect(((await res.json()) as { silenceID: string }).silenceID).toBe(id);
    const before = groupMessage("DiskFull").updates;
    expect(await sync()).toMatchObject({ checked: 2, ended: 0, moved: 1, error: null });
    await settled("DiskFull", before + 1);
    const row = bot.core.store.db
      .prepare("SELECT silenced_until FROM am_group_action WHERE silence_id = ?")
      .get(id) as { silenced_until: number };
    expect(row.silenced_until).toBe(until);
    expect(shown("DiskFull")).toContain(`until ${formatDateTime(until)}`);
  });

  it("a silence expired in Alertmanager itself updates the message once, and Silence is offered again", async () => {
    const id = silenceId("DiskFull")!;
    expect((await amApi("DELETE", `silence/${id}`)).status).toBe(200);
    const before = groupMessage("DiskFull").updates;
    expect(await sync()).toMatchObject({ checked: 2, ended: 1, moved: 0 });
    await settled("DiskFull", before + 1);
    expect(shown("DiskFull")).toContain(`The silence by bob (silence ${id}) was expired in Alertmanager at`);
    expect(buttonValue(groupMessage("DiskFull"), "am.silence")).toBeDefined();
    expect(buttonValue(groupMessage("DiskFull"), "am.unsilence")).toBeUndefined();
    // Again: nothing new to say, nothing sent.
    expect(await sync()).toMatchObject({ checked: 1, ended: 0, moved: 0 });
    await bot.core.alertmanager!.idle();
    expect(groupMessage("DiskFull").updates).toBe(before + 1);
  });

  it("Alertmanager down: `silences` still lists opsbot's own and says Alertmanager could not be read", async () => {
    await am.stop();
    amStopped = true;
    const { text, data } = await silencesAnswer();
    expect(data.alertmanager.readable).toBe(false);
    expect(data.alertmanager.error).toContain("did not answer");
    expect(data.alertmanager.silences.map((r) => [r.id, r.source])).toEqual([
      [silenceId("FanFail"), "opsbot"],
    ]);
    expect(text).toContain("Alertmanager could not be read, so silences made outside opsbot are not shown");
    // Before its end a silence is not ended just because Alertmanager is away.
    expect(await sync()).toMatchObject({ checked: 1, ended: 0 });
  });

  it("a silence that ended while opsbot was down updates the message once when the owner starts", async () => {
    await bot.stop();
    clock.advance(HOUR + 60_000);
    const before = groupMessage("FanFail").updates;
    // The owner (schedules) runs the sync at start: no delivery, no click, no call from the test.
    bot = await start(true);
    await settled("FanFail", before + 1);
    expect(shown("FanFail")).toContain("The silence by bob");
    expect(shown("FanFail")).toMatch(/silence [0-9a-f-]+\) expired at/);
    expect(buttonValue(groupMessage("FanFail"), "am.silence")).toBeDefined();
    expect(await sync()).toMatchObject({ checked: 0, ended: 0 });
    await bot.core.alertmanager!.idle();
    expect(groupMessage("FanFail").updates).toBe(before + 1);
  });
});
