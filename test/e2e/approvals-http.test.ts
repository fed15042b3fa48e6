import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  actionIds,
  approvalsYaml,
  type Bot,
  clickPayload,
  ephemeralsFor,
  parentMessage,
  SEED,
  SIGNING_SECRET,
  startBot,
  threadOf,
  USERS,
  writeRunbooks,
} from "../support/approvals-harness.js";
import {
  encodeForHttp,
  type PostedMessage,
  type SlackEmulator,
  sendSigned,
  slashCommand,
  startSlackEmulator,
} from "../support/slack-emulator/index.js";
import { tempDir } from "../support/temp.js";

/**
 * HTTP mode: clicks arrive as signed POSTs. A forged click (right shape, an approver's user id, no valid
 * signature) decides nothing; a mid-run approval step posts its own buttons in the run's thread.
 */
const RUNBOOKS = {
  guarded: `name: guarded
approvers: [role:ops]
steps:
  - id: act
    local: { command: "echo acted" }
`,
  leads: `name: leads
approvers: [role:leads]
steps:
  - id: act
    local: { command: "echo led" }
`,
  gated: `name: gated
steps:
  - id: prepare
    local: { command: "echo prepared" }
  - id: confirm
    needs: [prepare]
    approval: { approvers: [role:ops] }
  - id: finish
    needs: [confirm]
    local: { command: "echo finished" }
`,
};

let emu: SlackEmulator;
let bot: Bot;
let url: string;
const dir = tempDir();

beforeAll(async () => {
  // Approvers by Slack user group: the role lists the group id; members come from usergroups.users.list.
  emu = await startSlackEmulator({ seed: { ...SEED, usergroups: { S0LEADS01: [USERS.dave] } } });
  bot = await startBot({
    emu,
    dbPath: join(dir.path, "opsbot.db"),
    yaml: approvalsYaml(writeRunbooks(dir.path, RUNBOOKS), "  leads: [S0LEADS01]\n"),
    mode: "http",
  });
  url = `http://127.0.0.1:${bot.port}/slack/events`;
}, 30_000);

afterAll(async () => {
  await bot?.stop();
  await emu?.stop();
  dir.cleanup();
});

const o = () => bot.core.services.orchestration!;

async function slash(user: string, channel: string, text: string) {
  const body = encodeForHttp(
    "slash_commands",
    slashCommand({ text, user, channel, responseUrl: emu.responseUrl(channel, user) }),
  );
  expect((await sendSigned(url, body, { secret: SIGNING_SECRET })).status).toBe(200);
}

const click = (user: string, message: PostedMessage, actionId: string, secret = SIGNING_SECRET) =>
  sendSigned(url, encodeForHttp("interactive", clickPayload(emu, user, message, actionId)), { secret });

const find = <T>(what: string, f: () => T | undefined | false) => emu.waitFor(what, f, 20_000);

describe("approvals in HTTP mode", () => {
  it("a forged click decides nothing; a signed click from an approver does", async () => {
    await slash(USERS.alice, "C0OPS0001", "run guarded");
    const parent = await find("request", () => parentMessage(emu, 1, "guarded"));
    // The request's own audit row is written when its handler returns, which may be after the message.
    await find("the request's audit row", () =>
      bot.core.store.db.prepare("SELECT 1 FROM audit WHERE text = 'run guarded'").get(),
    );
    const auditBefore = bot.core.store.db.prepare("SELECT count(*) AS n FROM audit").get() as { n: number };

    const forged = await click(USERS.bob, parent, "run.approve", "not-the-signing-secret-0000000000");
    expect(forged.status).toBe(401);
    expect(o().view(1)!.run.status).toBe("pending");
    expect(o().view(1)!.approvals[0]!.votes).toEqual([]);
    expect(bot.core.store.db.prepare("SELECT count(*) AS n FROM audit").get()).toEqual(auditBefore);

    expect((await click(USERS.dave, parent, "run.approve")).status).toBe(200);
    await find("refusal", () =>
      ephemeralsFor(emu, USERS.dave).find((m) => m.text.includes("You can't approve run 1")),
    );
    expect(o().view(1)!.run.status).toBe("pending");

    expect((await click(USERS.bob, parent, "run.approve")).status).toBe(200);
    const done = await find("succeeded", () => {
      const m = parentMessage(emu, 1, "guarded");
      return m?.text.includes("· succeeded") ? m : undefined;
    });
    expect(done.text).toContain("Approved by: bob");
  }, 60_000);

  it("a mid-run approval step posts its buttons in the run's thread, under the same rules", async () => {
    await slash(USERS.alice, "C0ALERTS1", "run gated");
    const runId = await find(
      "run",
      () =>
        o()
          .runs({ limit: 10 })
          .find((r) => r.runbook === "gated")?.id,
    );
    const parent = await find("parent", () => parentMessage(emu, runId, "gated"));
    const ask = await find("approval request in thread", () =>
      threadOf(emu, parent).find((m) => m.text.includes("asks for approval to continue with step confirm")),
    );
    expect(actionIds(ask)).toEqual(["run.approve", "run.reject"]);
    await find("parent shows waiting", () => parentMessage(emu, runId, "gated")?.text.includes("⏸ confirm"));

    expect((await click(USERS.alice, ask, "run.approve")).status).toBe(200);
    await find("non-approver refused", () =>
      ephemeralsFor(emu, USERS.alice).find((m) =>
        m.text.includes(`You can't approve step confirm of run ${runId}`),
      ),
    );
    expect((await click(USERS.carol, ask, "run.approve")).status).toBe(200);
    await find("succeeded", () => parentMessage(emu, runId, "gated")?.text.includes("· succeeded"));
    const settled = await find("approval message updated", () => {
      const m = threadOf(emu, parent).find((x) => x.ts === ask.ts);
      return m && actionIds(m).length === 0 ? m : undefined;
    });
    expect(settled.text).toContain("Approved by carol");
    expect(
      o()
        .view(runId)!
        .steps.map((s) => s.status),
    ).toEqual(["succeeded", "succeeded", "succeeded"]);
  }, 60_000);

  it("approvers by Slack user group: a member of the group listed in the role decides", async () => {
    await slash(USERS.alice, "C0DEPLOY1", "run leads");
    const runId = await find(
      "run",
      () =>
        o()
          .runs({ limit: 10 })
          .find((r) => r.runbook === "leads")?.id,
    );
    const parent = await find("parent", () => parentMessage(emu, runId, "leads"));
    expect((await click(USERS.bob, parent, "run.approve")).status).toBe(200);
    await find("ops is not leads", () =>
      ephemeralsFor(emu, USERS.bob).find((m) => m.text.includes("only role:leads may decide this")),
    );
    expect((await click(USERS.dave, parent, "run.approve")).status).toBe(200);
    const done = await find("succeeded", () => {
      const m = parentMessage(emu, runId, "leads");
      return m?.text.includes("· succeeded") ? m : undefined;
    });
    expect(done.text).toContain("Approved by: dave");
  }, 60_000);
});
