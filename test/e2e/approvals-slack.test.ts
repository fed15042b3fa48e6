import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  actionIds,
  approvalsYaml,
  type Bot,
  ephemeralsFor,
  parentMessage,
  person,
  SEED,
  startBot,
  threadOf,
  USERS,
  writeRunbooks,
} from "../support/approvals-harness.js";
import {
  type PostedMessage,
  type SlackEmulator,
  startSlackEmulator,
} from "../support/slack-emulator/index.js";
import { openedViews, viewSubmission } from "../support/slack-emulator/views.js";
import { tempDir } from "../support/temp.js";

/**
 * Approvals and live progress through the real Bolt app in Socket Mode, against the local Slack
 * emulator with Slack's real rate limits (one write per second per channel, per-method tiers).
 */
const RUNBOOKS = {
  deploy: `name: deploy
description: Deploy a version
params:
  version: { type: string, pattern: "v[0-9.]+" }
  token: { type: string, secret: true }
approvers: [role:ops]
steps:
  - id: build
    local: { command: "echo building {{ params.version }} with {{ params.token }}" }
  - id: ship
    needs: [build]
    local: { command: "echo shipped {{ params.version }}" }
`,
  pair: `name: pair
approvers: [role:ops]
min_approvals: 2
steps:
  - id: only
    local: { command: "echo pair ran" }
`,
  quick: `name: quick
approvers: [role:ops]
expires_in: 1s
steps:
  - id: never
    local: { command: "echo must not run" }
`,
  race: `name: race
approvers: [role:ops]
steps:
  - id: once
    local: { command: "echo race ran" }
`,
  chatty: `name: chatty
steps:
  - id: spew
    local: { command: "i=0; while [ $i -lt 40 ]; do seq 1 1500 | sed \\"s/^/batch $i line /\\"; i=$((i+1)); sleep 0.05; done" }
runners: [role:dev, role:ops]
`,
};

let emu: SlackEmulator;
let bot: Bot;
let dir: ReturnType<typeof tempDir>;
let act: ReturnType<typeof person>;

beforeAll(async () => {
  dir = tempDir();
  emu = await startSlackEmulator({ seed: SEED });
  const runbooks = writeRunbooks(dir.path, RUNBOOKS);
  bot = await startBot({ emu, dbPath: join(dir.path, "opsbot.db"), yaml: approvalsYaml(runbooks) });
  act = person(emu);
}, 30_000);

afterAll(async () => {
  await bot?.stop();
  await emu?.stop();
  dir?.cleanup();
});

const o = () => bot.core.services.orchestration!;
const snapshot = (m: PostedMessage): PostedMessage => structuredClone(m);

/** Requests a run by slash command and returns its id and parent message. */
async function request(user: string, channel: string, text: string, runbook: string) {
  const before = o().runs({ limit: 1000 }).length;
  await act.slash(user, channel, text);
  const runId = await emu.waitFor(`run of ${runbook}`, () => {
    const runs = o().runs({ limit: 1000 });
    return runs.length > before ? runs[0]!.id : undefined;
  });
  const parent = await emu.waitFor(
    `parent of run ${runId}`,
    () => parentMessage(emu, runId, runbook),
    15_000,
  );
  return { runId, parent };
}

const waitParent = (runId: number, runbook: string, what: string, test: (m: PostedMessage) => boolean) =>
  emu.waitFor(
    `run ${runId} parent: ${what}`,
    () => {
      const m = parentMessage(emu, runId, runbook);
      return m && test(m) ? m : undefined;
    },
    30_000,
  );

const waitEphemeral = (user: string, text: string) =>
  emu.waitFor(
    `ephemeral for ${user}: ${text}`,
    () => ephemeralsFor(emu, user).find((m) => m.text.includes(text)),
    15_000,
  );

describe("approvals and run progress in Slack", () => {
  it("request → approve → thread progress → summary mentioning the requester; secrets masked everywhere", async () => {
    const { runId, parent } = await request(
      USERS.alice,
      "C0OPS0001",
      "run deploy version=v1.2 token=hunter2-secret-77",
      "deploy",
    );
    expect(parent.text).toContain("waiting for approval");
    expect(parent.text).toMatch(/deploy @ [0-9a-f]{12}/);
    expect(parent.text).toContain("token=••");
    expect(parent.text).toContain("Requested by: alice");
    expect(parent.text).toContain("ops (role) · not the requester");
    expect(parent.text).toMatch(/Expires: in (30m|29m 5\d+s)/);
    expect(parent.text).toContain("○ build");
    expect(actionIds(parent)).toEqual(["run.approve", "run.reject", "run.details"]);

    await act.click(USERS.carol, parent, "run.details");
    const details = await waitEphemeral(USERS.carol, `Plan of run ${runId}`);
    expect(details.text).toContain("echo building");
    expect(details.text).not.toContain("hunter2-secret-77");

    await act.click(USERS.bob, parent, "run.approve");
    const done = await waitParent(runId, "deploy", "succeeded", (m) => m.text.includes("· succeeded"));
    expect(actionIds(done)).toEqual([]);
    expect(done.text).toContain("Approved by: bob");
    expect(done.text).toMatch(/✓ build — /);
    expect(done.text).toMatch(/✓ ship — /);

    const summary = await emu.waitFor("summary", () =>
      threadOf(emu, parent).find((m) => m.text.includes(`Run ${runId} (deploy) succeeded`)),
    );
    expect(JSON.stringify(summary.blocks)).toContain(`<@${USERS.alice}>`);
    expect(summary.text).toContain("approved by bob");
    const thread = threadOf(emu, parent).map((m) => m.text);
    expect(thread.some((t) => t.includes(`Run ${runId} (deploy) approved by bob`))).toBe(true);
    expect(thread.some((t) => t.includes("building v1.2 with [redacted]"))).toBe(true);
    expect(thread.indexOf(summary.text)).toBe(thread.length - 1);
    expect(JSON.stringify(emu.calls)).not.toContain("hunter2-secret-77");
    const audit = bot.core.store.db.prepare("SELECT text, user_id FROM audit WHERE kind = 'action'").all();
    expect(audit).toContainEqual({ text: `run.approve ${runId}:1`, user_id: USERS.bob });
  }, 60_000);

  it("reject ends the request: nothing runs and the buttons are gone", async () => {
    const { runId, parent } = await request(USERS.alice, "C0ALERTS1", "run race", "race");
    await act.click(USERS.carol, parent, "run.reject");
    const done = await waitParent(runId, "race", "rejected", (m) => m.text.includes("· rejected"));
    expect(actionIds(done)).toEqual([]);
    expect(done.text).toContain("Rejected by carol");
    expect(
      o()
        .view(runId)!
        .steps.every((s) => s.status === "pending" || s.status === "skipped"),
    ).toBe(true);
  }, 60_000);

  it("an unanswered request expires: the message says so, the buttons go, a late click is told", async () => {
    const { runId, parent } = await request(USERS.alice, "C0INFRA01", "run quick", "quick");
    const old = snapshot(parent);
    const expired = await waitParent(runId, "quick", "expired", (m) => m.text.includes("· expired"));
    expect(actionIds(expired)).toEqual([]);
    expect(expired.text).toContain("nobody decided within the time allowed");
    await act.click(USERS.bob, old, "run.approve");
    await waitEphemeral(USERS.bob, `Too late to approve run ${runId} (quick): it was already expired`);
    expect(o().view(runId)!.run.status).toBe("expired");
  }, 60_000);

  it("refuses self-approval and non-approvers privately, and audits every click", async () => {
    const { runId, parent } = await request(USERS.bob, "C0OPS0001", "run race", "race");
    await act.click(USERS.bob, parent, "run.approve");
    await waitEphemeral(USERS.bob, "you requested this run; another approver has to decide");
    await act.click(USERS.dave, parent, "run.approve");
    await waitEphemeral(USERS.dave, `You can't approve run ${runId} (race): only role:ops may decide this`);
    expect(o().view(runId)!.run.status).toBe("pending");
    const clicks = bot.core.store.db
      .prepare("SELECT user_id FROM audit WHERE kind = 'action' AND text = ?")
      .all(`run.approve ${runId}:${o().view(runId)!.approvals[0]!.id}`);
    expect(clicks).toEqual([{ user_id: USERS.bob }, { user_id: USERS.dave }]);
    // Withdraw it so the suite ends with nothing pending.
    expect(
      (
        await bot.core.router.handle(`cancel ${runId}`, {
          user: { id: USERS.bob, name: "bob", roles: ["ops"] },
          channel: "C0OPS0001",
          transport: "slack",
        })
      ).outcome,
    ).toBe("ok");
  }, 60_000);

  it("two approvers racing: exactly one decides, the other is told who did, the run runs once", async () => {
    const { runId, parent } = await request(USERS.alice, "C0ALERTS1", "run race", "race");
    await Promise.all([
      act.click(USERS.bob, parent, "run.approve"),
      act.click(USERS.carol, parent, "run.approve"),
    ]);
    await waitParent(runId, "race", "succeeded", (m) => m.text.includes("· succeeded"));
    const approval = o().view(runId)!.approvals[0]!;
    expect(approval.status).toBe("approved");
    expect(approval.votes).toHaveLength(1);
    const winner = approval.decidedBy!;
    const loser = winner === "bob" ? USERS.carol : USERS.bob;
    await waitEphemeral(loser, `it was already approved by ${winner}`);
    expect(
      o()
        .view(runId)!
        .steps.map((s) => [s.key, s.status, s.attempt]),
    ).toEqual([["once", "succeeded", 1]]);
    expect(bot.core.orchestration.outputText(runId, "once")).toBe("race ran\n");
  }, 60_000);

  it("min_approvals 2 needs two different people; a double click counts once", async () => {
    const { runId, parent } = await request(USERS.alice, "C0INFRA01", "run pair", "pair");
    await act.click(USERS.bob, parent, "run.approve");
    await waitParent(runId, "pair", "one of two", (m) => m.text.includes("Approved so far by bob (1 of 2)"));
    await act.click(USERS.bob, parent, "run.approve");
    await waitEphemeral(USERS.bob, "You already approved run");
    expect(o().view(runId)!.run.status).toBe("pending");
    await act.click(USERS.carol, parent, "run.approve");
    const done = await waitParent(runId, "pair", "succeeded", (m) => m.text.includes("· succeeded"));
    expect(done.text).toContain("Approved by: bob, carol");
  }, 60_000);

  it("a step printing fast for seconds stays within the rate limits; nothing is lost", async () => {
    const { runId, parent } = await request(USERS.alice, "C0DEPLOY1", "run chatty", "chatty");
    await emu.waitFor(
      "summary",
      () => threadOf(emu, parent).find((m) => m.text.includes(`Run ${runId} (chatty) succeeded`)),
      60_000,
    );
    expect(emu.calls.filter((c) => c.status === 429)).toEqual([]);
    const log = bot.core.orchestration.outputText(runId, "spew");
    const lines = log.split("\n").filter(Boolean);
    expect(lines).toHaveLength(40 * 1500);
    expect(lines[0]).toBe("batch 0 line 1");
    expect(lines.at(-1)).toBe("batch 39 line 1500");
    const file = await emu.waitFor("log file", () =>
      [...emu.workspace.files.values()].find((f) => f.filename === `run-${runId}-spew.log` && f.completed),
    );
    expect(file.content).toBe(log);
    expect(file.threadTs).toBe(parent.ts);
    const thread = threadOf(emu, parent);
    expect(thread.some((m) => m.text.includes("full log will be attached"))).toBe(true);
    expect(thread.length).toBeLessThanOrEqual(8 + 3);
  }, 90_000);

  it("missing parameters are asked for in a modal; submitting it requests the run, secrets masked", async () => {
    await act.slash(USERS.alice, "C0ALERTS1", "run deploy version=v3.1");
    const ask = await emu.waitFor("parameters needed", () =>
      emu.workspace.messages.find((m) => m.text.includes("deploy needs token")),
    );
    expect(
      o()
        .runs({ limit: 100 })
        .some((r) => r.params.version === "v3.1"),
    ).toBe(false);
    await act.click(USERS.alice, ask, "run.params");
    const view = await emu.waitFor("modal opened", () => openedViews(emu.workspace).at(-1));
    expect(view.view.callback_id).toBe("run.params.submit");
    expect(view.view.blocks?.map((b) => b.block_id)).toEqual(["version", "token"]);
    expect(JSON.stringify(view.view)).toContain('"initial_value":"v3.1"');
    const before = o().runs({ limit: 100 }).length;
    const ack = await emu.socket.deliver(
      "interactive",
      viewSubmission({ user: USERS.alice, view, values: { version: "v3.1", token: "modal-secret-99" } }),
    );
    expect(ack.status).toBe("acked");
    const runId = await emu.waitFor("run requested", () => {
      const runs = o().runs({ limit: 100 });
      return runs.length > before ? runs[0]!.id : undefined;
    });
    const parent = await emu.waitFor("request message", () => parentMessage(emu, runId, "deploy"), 15_000);
    expect(parent.text).toContain("version=v3.1 token=••••••");
    expect(parent.text).toContain("Requested by: alice");
    expect(JSON.stringify(emu.calls)).not.toContain("modal-secret-99");
    // The audit row is written when the submission's handler returns, just after the request message.
    const audit = await emu.waitFor("audited submission", () => {
      const rows = JSON.stringify(bot.core.store.db.prepare("SELECT text FROM audit").all());
      return rows.includes("run.params.submit") ? rows : undefined;
    });
    expect(audit).not.toContain("modal-secret-99");
  }, 60_000);

  it("a modal field over its limit keeps the modal open naming the field; nothing runs; the audit keeps its shape only", async () => {
    await act.slash(USERS.alice, "C0ALERTS1", "run deploy version=v3.2");
    const ask = await emu.waitFor("parameters needed", () =>
      emu.workspace.messages.findLast((m) => m.text.includes("deploy needs token")),
    );
    await act.click(USERS.alice, ask, "run.params");
    const view = await emu.waitFor("modal opened", () => openedViews(emu.workspace).at(-1));
    // Slack itself stops typing at the limit…
    expect(JSON.stringify(view.view)).toContain('"max_length":1000');
    // …and a forged payload past it is refused all the same.
    const huge = `s3cr3t-${"x".repeat(4993)}`;
    const before = o().runs({ limit: 100 }).length;
    const ack = await emu.socket.deliver(
      "interactive",
      viewSubmission({ user: USERS.alice, view, values: { version: "v3.2", token: huge } }),
    );
    expect(ack.ackPayload).toEqual({
      response_action: "errors",
      errors: { token: "token is 5,000 characters long; at most 1,000 are accepted." },
    });
    const row = await emu.waitFor("audited refusal", () =>
      (
        bot.core.store.db
          .prepare("SELECT text, outcome FROM audit WHERE text LIKE 'run.params.submit%' ORDER BY id DESC")
          .all() as { text: string; outcome: string }[]
      ).find((r) => r.outcome === "user_error"),
    );
    expect(row.text).toBe("run.params.submit refused form: version (4 characters), token (5,000 characters)");
    expect(o().runs({ limit: 100 }).length).toBe(before);
    expect(JSON.stringify(emu.calls)).not.toContain("s3cr3t-");
  }, 60_000);
});
