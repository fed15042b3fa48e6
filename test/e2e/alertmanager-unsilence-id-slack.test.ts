import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
import { type SlackEmulator, startSlackEmulator } from "../support/slack-emulator/index.js";
import { tempDir } from "../support/temp.js";

/**
 * `unsilence SILENCE-ID`: a silence made outside opsbot (with amtool, against a real Alertmanager on
 * loopback) is listed by `silences` and ended from Slack (the emulator, slash commands over Socket
 * Mode) by someone with the role; refused for someone without it (Alertmanager unchanged); unknown,
 * ended and unreachable are answered in words. Alertmanager's own API is the witness.
 */
const TOKEN = "am-unsilence-token-31f0";
const ALERTS = "C0ALERTS1";

interface ListedSilence {
  id: string;
  status: { state: string };
  createdBy: string;
}

let emu: SlackEmulator;
let bot: Bot;
let am: RunningService;
let amStopped = false;
const dir = tempDir();

const listed = async (): Promise<ListedSilence[]> =>
  (await (await fetch(`${am.url}/api/v2/silences`)).json()) as ListedSilence[];
const state = async (id: string) => (await listed()).find((x) => x.id === id)?.status.state;

/** amtool, as someone outside opsbot would: prints the new silence's id. */
const amtoolSilence = (...matchers: string[]) =>
  execFileSync(
    "amtool",
    [
      `--alertmanager.url=${am.url}`,
      "silence",
      "add",
      ...matchers,
      "--author=amy",
      "--comment=rack 4 maintenance",
      "--duration=2h",
    ],
    { encoding: "utf8" },
  ).trim();

/** Types `text` as `user` and waits for the answer only they see (slash replies go to the response_url). */
async function ask(user: string, text: string): Promise<string> {
  const before = emu.workspace.messages.length;
  await person(emu).slash(user, ALERTS, text);
  const m = await emu.waitFor(
    `the answer to ${user}: ${text}`,
    () => emu.workspace.messages.slice(before).find((x) => x.via === "response_url"),
    15_000,
  );
  return `${m.text}\n${JSON.stringify(m.blocks)}`;
}

const lastAudit = () => bot.core.services.audit.recent(1, { command: "unsilence" })[0];

beforeAll(async () => {
  emu = await startSlackEmulator({ seed: SEED, rateLimits: { channelIntervalMs: 50 } });
  const opsPort = await freeTcpPort();
  am = await startAlertmanager(
    alertmanagerWebhookConfig(`http://127.0.0.1:${opsPort}/webhooks/alertmanager`, TOKEN),
  );
  bot = await startBot({
    emu,
    dbPath: join(dir.path, "opsbot.db"),
    env: { AM_TOKEN: TOKEN },
    channelIntervalMs: 50,
    yaml: `roles:
  oncall: [${USERS.bob}]
channels: { alerts: ${ALERTS} }
alerts: { default_channel: alerts }
ops: { port: ${opsPort} }
alertmanager:
  bearer_token_env: AM_TOKEN
  api: { url: ${JSON.stringify(am.url)}, timeout: 2s }
`,
  });
  await bot.core.ops.start();
  await fireAndAwaitMessages(emu, am.url, ALERTS, [["DiskFull", {}]]);
}, 120_000);

afterAll(async () => {
  if (!amStopped) await am?.stop();
  await bot?.stop();
  await bot?.core.ops.stop();
  await emu?.stop();
  dir.cleanup();
});

describe("unsilence by Alertmanager silence id (real Alertmanager + amtool, Slack emulator)", () => {
  let outside: string;

  it("a silence made with amtool is listed by `silences` as made in Alertmanager, with who and what", async () => {
    outside = amtoolSilence("alertname=DiskFull", "site=dc1");
    expect(outside).toMatch(/^[0-9a-f-]{36}$/);
    const answer = await ask(USERS.dave, "silences");
    expect(answer).toContain(outside);
    expect(answer).toContain("made in Alertmanager");
    expect(answer).toContain("amy");
    expect(answer).toContain('alertname=\\"DiskFull\\"');
  });

  it("someone without the silencing role is refused and Alertmanager keeps the silence", async () => {
    const answer = await ask(USERS.dave, `unsilence ${outside.slice(0, 8)}`);
    expect(answer).toContain("needs the oncall role");
    expect(await state(outside)).toBe("active");
    expect(lastAudit()).toMatchObject({ userId: USERS.dave, outcome: "denied" });
  });

  it("someone with the role ends it by a prefix; it is audited, and again says it already ended", async () => {
    const answer = await ask(USERS.bob, `unsilence ${outside.slice(0, 8)}`);
    expect(answer).toContain(`Ended Alertmanager silence ${outside}`);
    expect(answer).toContain("made by amy");
    expect(await state(outside)).toBe("expired");
    expect(lastAudit()).toMatchObject({ userId: USERS.bob, outcome: "ok" });
    expect(lastAudit()?.detail).toContain(outside);

    const again = await ask(USERS.bob, `unsilence ${outside}`);
    expect(again).toContain(`Alertmanager silence ${outside} already ended at`);
    expect(lastAudit()).toMatchObject({ outcome: "user_error" });
  });

  it("an id Alertmanager does not know is said so; nothing changes", async () => {
    const before = await listed();
    const unknown = [..."abcdef"]
      .map((c) => c.repeat(6))
      .find((p) => !before.some((x) => x.id.startsWith(p)))!;
    const answer = await ask(USERS.bob, `unsilence ${unknown}`);
    expect(answer).toContain(`Alertmanager has no silence whose id starts with "${unknown}"`);
    expect(await listed()).toEqual(before);
  });

  it("the id of a silence opsbot made for a group ends it the group's way: its message is updated", async () => {
    const message = () => amGroupMessage(emu, ALERTS, "DiskFull")!;
    await emu.socket.deliver("interactive", clickPayload(emu, USERS.bob, message(), "am.silence"));
    await emu.waitFor("silenced", () => buttonValue(message(), "am.unsilence"));
    await emu.waitFor("the click's answer", () =>
      emu.workspace.messages.find((m) => m.visibleTo === USERS.bob && m.text.startsWith("Silenced am:")),
    );
    const id = amGroupAction<{ silence_id: string }>(bot.core.store.db, "DiskFull").silence_id;
    const answer = await ask(USERS.bob, `unsilence ${id.slice(0, 10)}`);
    expect(answer).toContain(`Ended Alertmanager silence ${id}`);
    expect(answer).toMatch(/group am:\d+'s message is updated/);
    expect(await state(id)).toBe("expired");
    await emu.waitFor("Silence offered again", () => buttonValue(message(), "am.silence"));
    expect(buttonValue(message(), "am.unsilence")).toBeUndefined();
    expect(amGroupAction<{ silence_id: string | null }>(bot.core.store.db, "DiskFull").silence_id).toBeNull();
  });

  it("with Alertmanager down the answer says so and that nothing was ended", async () => {
    const held = amtoolSilence("alertname=Other");
    await am.stop();
    amStopped = true;
    const answer = await ask(USERS.bob, `unsilence ${held.slice(0, 8)}`);
    expect(answer).toContain("did not answer");
    expect(answer).toContain("Nothing was ended");
    expect(lastAudit()).toMatchObject({ outcome: "error" });
  });
});
