import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  approvalsYaml,
  type Bot,
  person,
  SEED,
  startBot,
  USERS,
  writeRunbooks,
} from "../support/approvals-harness.js";
import { blockAction, type SlackEmulator, startSlackEmulator } from "../support/slack-emulator/index.js";
import { appHomeOpened, publishedHomes } from "../support/slack-emulator/views.js";
import { tempDir } from "../support/temp.js";

/**
 * The App Home through the real Bolt app in Socket Mode: `app_home_opened` → `views.publish` in the
 * emulator, rendered for the user who opened it; pending approvals appear only for their approvers,
 * and the Home is re-published when a run changes.
 */
const RUNBOOKS = {
  deploy: `name: deploy
approvers: [role:ops]
steps:
  - id: ship
    local: { command: "echo shipped" }
`,
};

let emu: SlackEmulator;
let bot: Bot;
let dir: ReturnType<typeof tempDir>;

beforeAll(async () => {
  dir = tempDir();
  emu = await startSlackEmulator({ seed: SEED });
  const runbooks = writeRunbooks(dir.path, RUNBOOKS);
  bot = await startBot({ emu, dbPath: join(dir.path, "opsbot.db"), yaml: approvalsYaml(runbooks) });
});

afterAll(async () => {
  await bot?.stop();
  await emu?.stop();
  dir?.cleanup();
});

type HomeBlock = {
  type: string;
  text?: { text?: string };
  elements?: { action_id?: string; value?: string }[];
};
const homeOf = (user: string) =>
  publishedHomes(emu.workspace).get(user)?.at(-1)?.blocks as HomeBlock[] | undefined;
const homeText = (user: string) => JSON.stringify(homeOf(user) ?? []);
const publishes = (user: string) => publishedHomes(emu.workspace).get(user)?.length ?? 0;

async function open(user: string): Promise<void> {
  const before = publishes(user);
  await emu.socket.deliver("events_api", appHomeOpened(user));
  await emu.waitFor(`home of ${user}`, () => publishes(user) > before);
}

describe("App Home", () => {
  it("shows a pending approval with buttons to its approvers only, and refreshes when it is decided", async () => {
    await person(emu).slash(USERS.alice, "C0DEPLOY1", "run deploy");
    const runId = await emu.waitFor("run requested", () => bot.core.services.orchestration!.runs()[0]?.id);

    await open(USERS.bob);
    const bobHome = homeText(USERS.bob);
    expect(bobHome).toContain("Waiting for your approval (1)");
    expect(bobHome).toContain(`Run ${runId}: deploy`);
    const actions = homeOf(USERS.bob)!
      .filter((b) => b.type === "actions")
      .flatMap((b) => b.elements ?? []);
    expect(actions.map((e) => e.action_id)).toEqual(["run.approve", "run.reject", "run.details"]);

    // The requester and a bystander see nothing to approve (alice requested it; dave is no approver).
    await open(USERS.alice);
    expect(homeText(USERS.alice)).toContain("Waiting for your approval (0)");
    expect(homeText(USERS.alice)).not.toContain("run.approve");
    await open(USERS.dave);
    expect(homeText(USERS.dave)).toContain("Waiting for your approval (0)");
    expect(homeText(USERS.dave)).toContain("Fleet");

    // Bob approves from the Home tab (a click with no channel): the run goes ahead and every open
    // Home is re-published from state.
    const approve = actions.find((e) => e.action_id === "run.approve")!;
    const aliceBefore = publishes(USERS.alice);
    const click = blockAction({
      actionId: "run.approve",
      value: approve.value!,
      user: USERS.bob,
      responseUrl: emu.responseUrl("C0DEPLOY1", USERS.bob),
    });
    delete (click as Record<string, unknown>).channel;
    (click as Record<string, unknown>).container = { type: "view", view_id: "V1" };
    (click as Record<string, unknown>).view = { id: "V1", type: "home" };
    delete (click as Record<string, unknown>).message;
    await emu.socket.deliver("interactive", click);
    await emu.waitFor("run approved", () =>
      ["running", "succeeded"].includes(bot.core.services.orchestration!.view(runId)?.run.status ?? ""),
    );
    await emu.waitFor("bob's home without the approval", () =>
      homeText(USERS.bob).includes("Waiting for your approval (0)"),
    );
    await emu.waitFor("alice's home re-published", () => publishes(USERS.alice) > aliceBefore);
  });
});
