import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Bot,
  buttonValue,
  ephemeralsFor,
  parentMessage,
  person,
  SEED,
  startBot,
  USERS,
  writeRunbooks,
} from "../support/approvals-harness.js";
import { blockAction, type SlackEmulator, startSlackEmulator } from "../support/slack-emulator/index.js";
import { tempDir } from "../support/temp.js";

/**
 * Who may do what in Slack: the real Bolt app in Socket Mode against the emulator. Identity is the
 * payload's user id (roles from the config, groups from usergroups.users.list), the channel is the
 * payload's channel (its name from conversations.info) — never message text.
 */
const RUNBOOKS = {
  scoped: `name: scoped
runners: [role:dev]
channels: [ops]
approvers: [role:ops]
steps:
  - id: only
    local: { command: "echo scoped ran" }
`,
  leads: `name: leads
runners: [group:S0LEADS01]
approvers: [role:ops]
steps:
  - id: only
    local: { command: "echo leads ran" }
`,
};

let emu: SlackEmulator;
let bot: Bot;
let dir: ReturnType<typeof tempDir>;
let act: ReturnType<typeof person>;

beforeAll(async () => {
  dir = tempDir();
  emu = await startSlackEmulator({ seed: { ...SEED, usergroups: { S0LEADS01: [USERS.dave] } } });
  const runbooks = writeRunbooks(dir.path, RUNBOOKS);
  bot = await startBot({
    emu,
    dbPath: join(dir.path, "opsbot.db"),
    yaml: `roles:
  ops: [${USERS.bob}, ${USERS.carol}]
  dev: [${USERS.alice}]
channels:
  ops: "#ops"
orchestration: { runbooks_dir: ${JSON.stringify(runbooks)}, allow_local: true, watch: false }
`,
  });
  act = person(emu);
}, 30_000);

afterAll(async () => {
  await bot?.stop();
  await emu?.stop();
  dir?.cleanup();
});

const o = () => bot.core.services.orchestration;
const refusalFor = (user: string, text: string) =>
  emu.waitFor(
    `refusal for ${user}: ${text}`,
    () => ephemeralsFor(emu, user).find((m) => m.text.includes(text)),
    15_000,
  );
const runOf = (runbook: string) =>
  emu.waitFor(
    `a run of ${runbook}`,
    () =>
      o()
        .runs({ limit: 10 })
        .find((r) => r.runbook === runbook)?.id,
  );
const deniedRows = () => bot.core.services.audit.recent(200, { outcome: "denied" });

describe("who may do what in Slack", () => {
  it("runners by user group: a member requests, a non-member is refused and the refusal is audited", async () => {
    await act.slash(USERS.alice, "C0OPS0001", "run leads");
    await refusalFor(USERS.alice, "leads may be requested by group S0LEADS01");
    expect(
      o()
        .runs({ limit: 10 })
        .filter((r) => r.runbook === "leads"),
    ).toEqual([]);
    await act.slash(USERS.dave, "C0OPS0001", "run leads");
    const runId = await runOf("leads");
    expect(o().view(runId)!.run.requestedBy).toBe(USERS.dave);
    expect(deniedRows().some((r) => r.userId === USERS.alice && r.text === "run leads")).toBe(true);
  });

  it("channel scope: typed requests and button clicks outside the runbook's channels are refused, inside allowed", async () => {
    await act.slash(USERS.alice, "C0ALERTS1", "run scoped");
    await refusalFor(USERS.alice, "scoped may only be requested in #ops");
    await act.slash(USERS.alice, "C0OPS0001", "run scoped");
    const runId = await runOf("scoped");
    const parent = await emu.waitFor("parent", () => parentMessage(emu, runId, "scoped"), 15_000);

    // The dangerous buttons carry Slack confirm dialogs (validated by the emulator's Block Kit checks).
    const reject = (parent.blocks as { type: string; elements?: Record<string, unknown>[] }[])
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === "run.reject") as { confirm?: Record<string, { text: string }> };
    expect(reject.confirm?.title?.text).toBe(`Reject run ${runId}?`);
    expect(reject.confirm?.confirm?.text).toBe(`Reject run ${runId}`);
    expect(reject.confirm?.text?.text).toContain("nothing runs");
    const approve = (parent.blocks as { elements?: Record<string, unknown>[] }[])
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === "run.approve");
    expect(approve?.confirm).toBeUndefined();

    // The same Approve button, clicked where the runbook is not allowed (e.g. a shared message).
    const value = buttonValue(parent, "run.approve")!;
    await emu.socket.deliver(
      "interactive",
      blockAction({
        actionId: "run.approve",
        value,
        user: USERS.bob,
        channel: "C0ALERTS1",
        messageTs: parent.ts,
        responseUrl: emu.responseUrl("C0ALERTS1", USERS.bob),
      }),
    );
    await refusalFor(USERS.bob, "scoped may only be approved or rejected in #ops");
    expect(o().view(runId)!.run.status).toBe("pending");
    expect(deniedRows().some((r) => r.userId === USERS.bob && r.command === "run.approve")).toBe(true);

    await act.click(USERS.bob, parent, "run.approve");
    await emu.waitFor(
      "approved",
      () => (o().view(runId)!.run.status !== "pending" ? true : undefined),
      15_000,
    );
    expect(
      o()
        .view(runId)!
        .approvals[0]!.votes.map((v) => v.userId),
    ).toEqual([USERS.bob]);
  });
});
