import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import {
  amGroupAction,
  amGroupMessage,
  fireAlert,
  fireAndAwaitMessages,
} from "../support/alertmanager-alerts.js";
import {
  type Bot,
  buttonValue,
  clickPayload,
  ephemeralsFor,
  person,
  SEED,
  startBot,
  USERS,
  writeRunbooks,
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
import { appHomeOpened, publishedHomes } from "../support/slack-emulator/views.js";
import { tempDir } from "../support/temp.js";

/**
 * Silences out, acks and Run buttons on Alertmanager group messages: a real Alertmanager (Debian's
 * prometheus-alertmanager, config written here, webhook receiver → opsbot's ops listener) and the real
 * Bolt app against the Slack emulator, clicks as block_actions over Socket Mode. Alertmanager's own API
 * (GET /api/v2/silences) is the witness of what the buttons did.
 */
const TOKEN = "am-silence-token-77c1";
const SVC_CHECK = `name: svc-check
params:
  host: { type: string, pattern: "[a-z0-9.-]+" }
runners: [role:oncall]
steps:
  - id: only
    local: { command: "echo check {{ params.host }}" }
`;
const RUNBOOKS = {
  "svc-check": SVC_CHECK,
  "svc-restart": `name: svc-restart
params:
  host: { type: string, pattern: "[a-z0-9.-]+" }
  service: { type: string, pattern: "[a-z0-9@._-]+" }
runners: [role:oncall]
approvers: [role:ops]
steps:
  - id: only
    local: { command: "echo restart {{ params.service }} on {{ params.host }}" }
`,
};

interface AmSilence {
  id: string;
  status: { state: string };
  createdBy: string;
  comment: string;
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
}

let emu: SlackEmulator;
let bot: Bot;
let am: RunningService;
let amStopped = false;
let runbooksPath: string;
const dir = tempDir();

async function amSilences(): Promise<AmSilence[]> {
  const res = await fetch(`${am.url}/api/v2/silences`);
  expect(res.status).toBe(200);
  return (await res.json()) as AmSilence[];
}

const groupMessage = (alertname: string) => amGroupMessage(emu, "C0ALERTS1", alertname);
const groupRow = (alertname: string) =>
  amGroupAction<{
    id: number;
    silence_id: string | null;
    acked_by_name: string | null;
    acked_at: number | null;
  }>(bot.core.store.db, alertname);
const click = (user: string, alertname: string, actionId: string) =>
  emu.socket.deliver("interactive", clickPayload(emu, user, groupMessage(alertname)!, actionId));
const ephemeral = (user: string, text: string) =>
  emu
    .waitFor(
      `ephemeral for ${user}: ${text}`,
      () => ephemeralsFor(emu, user).find((m) => m.text.includes(text)),
      15_000,
    )
    .catch((e) => {
      console.log(JSON.stringify(emu.workspace.messages.slice(-6).map((m) => [m.visibleTo, m.via, m.text])));
      throw e;
    });

beforeAll(async () => {
  emu = await startSlackEmulator({ seed: SEED, rateLimits: { channelIntervalMs: 100 } });
  const opsPort = await freeTcpPort();
  am = await startAlertmanager(
    alertmanagerWebhookConfig(`http://127.0.0.1:${opsPort}/webhooks/alertmanager`, TOKEN),
  );
  const runbooks = writeRunbooks(dir.path, RUNBOOKS);
  runbooksPath = runbooks;
  bot = await startBot({
    emu,
    dbPath: join(dir.path, "opsbot.db"),
    env: { AM_TOKEN: TOKEN },
    channelIntervalMs: 100,
    yaml: `roles:
  oncall: [${USERS.bob}, ${USERS.alice}]
  ops: [${USERS.carol}]
channels: { alerts: C0ALERTS1 }
alerts: { default_channel: alerts }
ops: { port: ${opsPort} }
alertmanager:
  bearer_token_env: AM_TOKEN
  api: { url: ${JSON.stringify(am.url)}, timeout: 5s }
orchestration: { runbooks_dir: ${JSON.stringify(runbooks)}, allow_local: true, watch: true }
`,
  });
  await bot.core.ops.start();
  await fireAndAwaitMessages(emu, am.url, "C0ALERTS1", [
    ["DiskFull", { annotations: { opsbot_runbook: "svc-restart host=db01 service=nginx" } }],
    ["BadHint", { annotations: { opsbot_runbook: "svc-restart host={{ $labels.instance }}" } }],
    ["NoSuchBook", { annotations: { opsbot_runbook: "svc-restrat host=db01 service=nginx" } }],
    ["BadParams", { annotations: { opsbot_runbook: "svc-restart host=db01 colour=red" } }],
    ["GoneBook", { annotations: { opsbot_runbook: "svc-check host=db01" } }],
  ]);
}, 120_000);

afterAll(async () => {
  if (!amStopped) await am?.stop();
  await bot?.stop();
  await bot?.core.ops.stop();
  await emu?.stop();
  dir.cleanup();
});

describe("Alertmanager group buttons (real Alertmanager, Slack emulator)", () => {
  it("offers Ack, Silence and Run; a malformed opsbot_runbook gets no Run button and the message says why", () => {
    const ids = (m: PostedMessage) => JSON.stringify(m.blocks);
    const good = groupMessage("DiskFull")!;
    expect(buttonValue(good, "am.ack")).toBeDefined();
    expect(ids(good)).toContain('"Silence 1h"');
    expect(buttonValue(good, "am.run")).toBeDefined();
    const bad = groupMessage("BadHint")!;
    expect(buttonValue(bad, "am.run")).toBeUndefined();
    expect(bad.text + ids(bad)).toContain("opsbot_runbook annotation is malformed");
    expect(ids(bad)).toContain("unexpanded template");
  });

  it("a click without the role is refused and creates no silence", async () => {
    await click(USERS.dave, "DiskFull", "am.silence");
    await ephemeral(USERS.dave, "That button");
    expect(await amSilences()).toEqual([]);
    expect(groupRow("DiskFull").silence_id).toBeNull();
  });

  it("Silence creates an Alertmanager silence on the group's labels by the clicker; Unsilence expires it", async () => {
    await click(USERS.bob, "DiskFull", "am.silence");
    await emu.waitFor("silenced message", () =>
      JSON.stringify(groupMessage("DiskFull")!.blocks).includes("Silenced in Alertmanager by bob"),
    );
    const [s] = await amSilences();
    expect(s?.status.state).toBe("active");
    expect(s?.createdBy).toBe(`bob (Slack ${USERS.bob})`);
    expect(s?.comment).toContain("opsbot");
    expect(s?.comment).toContain(`am:${groupRow("DiskFull").id}`);
    expect(s?.matchers.map((m) => [m.name, m.value, m.isRegex, m.isEqual ?? true]).sort()).toEqual([
      ["alertname", "DiskFull", false, true],
      ["site", "dc1", false, true],
    ]);
    expect(groupRow("DiskFull").silence_id).toBe(s?.id);
    expect(buttonValue(groupMessage("DiskFull")!, "am.silence")).toBeUndefined();

    await click(USERS.bob, "DiskFull", "am.unsilence");
    await emu.waitFor("unsilenced message", () =>
      buttonValue(groupMessage("DiskFull")!, "am.silence") !== undefined ? true : undefined,
    );
    expect((await amSilences()).map((x) => [x.id, x.status.state])).toEqual([[s?.id, "expired"]]);
    expect(groupRow("DiskFull").silence_id).toBeNull();
  });

  it("Ack is recorded and shown; acking again changes nothing", async () => {
    await click(USERS.alice, "DiskFull", "am.ack");
    await emu.waitFor("acked message", () =>
      JSON.stringify(groupMessage("DiskFull")!.blocks).includes("Acked by alice"),
    );
    const first = groupRow("DiskFull");
    expect(first.acked_by_name).toBe("alice");
    expect(buttonValue(groupMessage("DiskFull")!, "am.ack")).toBeUndefined();
    await person(emu).slash(USERS.bob, "C0ALERTS1", `ack am:${first.id}`);
    await emu.waitFor("the answer to bob", () =>
      emu.workspace.messages.find((m) => m.text === `am:${first.id} was already acked by alice.`),
    );
    expect(groupRow("DiskFull").acked_at).toBe(first.acked_at);
  });

  it("the daily digest and the App Home list the firing group with who acked it", async () => {
    const id = groupRow("DiskFull").id;
    const digest = replyToPlainText(bot.core.services.alerts.digest());
    expect(digest).toMatch(new RegExp(`am:${id} .*DiskFull.*acked by alice`));
    const homes = () => publishedHomes(emu.workspace).get(USERS.alice) ?? [];
    const before = homes().length;
    await emu.socket.deliver("events_api", appHomeOpened(USERS.alice));
    await emu.waitFor("alice's App Home", () => homes().length > before);
    const home = JSON.stringify(homes().at(-1));
    expect(home).toContain("Alertmanager groups firing (");
    expect(home).toMatch(new RegExp(`am:${id} .*DiskFull.*acked by alice`));
  });

  it("Run requests the suggested runbook as the clicker, awaiting approval", async () => {
    await click(USERS.alice, "DiskFull", "am.run");
    const o = bot.core.services.orchestration;
    const run = await emu.waitFor(
      "a run request",
      () => o.runs({ limit: 5 }).find((r) => r.runbook === "svc-restart"),
      15_000,
    );
    expect(run.status).toBe("pending");
    expect(run.params).toEqual({ host: "db01", service: "nginx" });
    expect(run.requestedBy).toBe(USERS.alice);
    // Approved by an approver (not the clicker), it runs.
    await person(emu).slash(USERS.carol, "C0ALERTS1", `approve ${run.id}`);
    const done = await emu.waitFor(
      "the run to finish",
      () => {
        const r = o.runs({ limit: 5 }).find((x) => x.id === run.id);
        return r && r.status !== "pending" && r.status !== "approved" && r.status !== "running"
          ? r
          : undefined;
      },
      30_000,
    );
    expect(done.status).toBe("succeeded");
  });

  it("a suggested runbook that does not exist, or whose params it refuses, is said in the message instead of a Run button", () => {
    const shown = (alertname: string) => {
      const m = groupMessage(alertname)!;
      return { run: buttonValue(m, "am.run"), text: JSON.stringify(m.blocks) };
    };
    const missing = shown("NoSuchBook");
    expect(missing.run).toBeUndefined();
    expect(missing.text).toContain(
      "No Run button for db01:9100: runbook `svc-restrat` suggested by the alert does not exist (did you mean `svc-restart`?)",
    );
    const refused = shown("BadParams");
    expect(refused.run).toBeUndefined();
    expect(refused.text).toContain(
      "runbook `svc-restart` suggested by the alert refuses its parameters — unknown parameter colour",
    );
    expect(refused.text).toContain("parameter service is required");
    expect(shown("GoneBook").run).toBeDefined();
  });

  it("a runbook removed after its button was shown: the click tells the clicker alone, and the next update drops the button", async () => {
    const o = bot.core.services.orchestration;
    rmSync(join(runbooksPath, "svc-check.yaml"));
    await emu.waitFor("the catalog reloaded", () => (o.runbook("svc-check") ? undefined : true), 15_000);
    const msg = groupMessage("GoneBook")!;
    await click(USERS.alice, "GoneBook", "am.run");
    const told = await ephemeral(USERS.alice, "No runbook named svc-check");
    expect(told.visibleTo).toBe(USERS.alice);
    expect(emu.workspace.channelMessages("C0ALERTS1", { threadTs: msg.ts })).toEqual([]);
    expect(o.runs({ limit: 10 }).filter((r) => r.runbook === "svc-check")).toEqual([]);
    // The next delivery of the group (one more alert) re-renders it against the reloaded catalog.
    await fireAlert(am.url, "GoneBook", {
      annotations: { opsbot_runbook: "svc-check host=db01" },
      instances: ["db02:9100"],
    });
    await emu.waitFor("GoneBook re-rendered", () =>
      JSON.stringify(groupMessage("GoneBook")!.blocks).includes(
        "runbook `svc-check` suggested by the alert does not exist",
      )
        ? true
        : undefined,
    );
    expect(buttonValue(groupMessage("GoneBook")!, "am.run")).toBeUndefined();

    // And a runbook added: the next update of a group that suggested it offers the button.
    writeFileSync(
      join(runbooksPath, "svc-restrat.yaml"),
      SVC_CHECK.replace("svc-check", "svc-restrat").replace(
        'host: { type: string, pattern: "[a-z0-9.-]+" }',
        "host: { type: string }\n  service: { type: string }",
      ),
    );
    await emu.waitFor("the catalog reloaded", () => o.runbook("svc-restrat"), 15_000);
    await fireAlert(am.url, "NoSuchBook", {
      annotations: { opsbot_runbook: "svc-restrat host=db01 service=nginx" },
      instances: ["db02:9100"],
    });
    await emu.waitFor("NoSuchBook offers Run", () => buttonValue(groupMessage("NoSuchBook")!, "am.run"));
  });

  it("`silence am:ID` typed works the same; with Alertmanager down nothing changes and the clicker is told", async () => {
    const id = groupRow("BadHint").id;
    await person(emu).slash(USERS.bob, "C0ALERTS1", `silence am:${id} 2h cable swap`);
    await emu.waitFor("silenced by command", () => buttonValue(groupMessage("BadHint")!, "am.unsilence"));
    const [held] = (await amSilences()).filter((x) => x.status.state === "active");
    expect(held?.createdBy).toBe(`bob (Slack ${USERS.bob})`);
    expect(held?.comment).toContain("cable swap");
    expect(held?.id).toBe(groupRow("BadHint").silence_id);

    await am.stop();
    amStopped = true;
    // Unsilence cannot reach Alertmanager: the silence is still recorded (it still holds there).
    await click(USERS.bob, "BadHint", "am.unsilence");
    expect((await ephemeral(USERS.bob, "The silence still holds")).text).toContain("did not answer");
    expect(groupRow("BadHint").silence_id).toBe(held?.id);
    // Silence cannot reach it either: nothing recorded, the button stays.
    await click(USERS.bob, "DiskFull", "am.silence");
    expect((await ephemeral(USERS.bob, "Nothing was silenced")).text).toContain("did not answer");
    expect(groupRow("DiskFull").silence_id).toBeNull();
    // Alertmanager being down is audited as a failure, not as the clicker's mistake.
    const [audited] = bot.core.services.audit.recent(1, { command: "am.silence" });
    expect(audited?.outcome).toBe("error");
    expect(buttonValue(groupMessage("DiskFull")!, "am.silence")).toBeDefined();
  });
});
