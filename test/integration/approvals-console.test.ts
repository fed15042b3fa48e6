import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConsoleChat } from "../../src/chat/console/console-chat.js";
import { parseConfig } from "../../src/config/load.js";
import { systemClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { type Core, createCore } from "../../src/main.js";
import { writeRunbooks } from "../support/approvals-harness.js";
import { tempDir } from "../support/temp.js";

/** Console parity: the same request message, buttons as numbered choices, `approve`/`reject`, `as <user>`. */
const RUNBOOKS = {
  deploy: `name: deploy
params:
  version: { type: string, pattern: "v[0-9.]+" }
  token: { type: string, secret: true }
approvers: [role:ops]
steps:
  - id: build
    local: { command: "echo building {{ params.version }} with {{ params.token }}" }
  - id: ship
    needs: [build]
    local: { command: "echo shipped" }
`,
  long: `name: long
approvers: [role:ops]
steps:
  - id: wait
    local: { command: "echo started; sleep 30" }
`,
  pair: `name: pair
approvers: [role:ops]
min_approvals: 2
steps:
  - id: only
    local: { command: "echo pair ran" }
`,
};

let dir: ReturnType<typeof tempDir>;
let core: Core;
let chat: ConsoleChat;
let out: string[];

beforeEach(() => {
  dir = tempDir();
  const runbooks = writeRunbooks(dir.path, RUNBOOKS);
  const config = parseConfig(
    `roles: { ops: [bob, carol], oncall: [alice] }
orchestration: { runbooks_dir: ${JSON.stringify(runbooks)}, allow_local: true, watch: false }
`,
    "test.yaml",
    {},
  );
  out = [];
  chat = new ConsoleChat({ config, userName: "alice", channel: "ops", write: (t) => out.push(t) });
  core = createCore({
    config,
    dbPath: join(dir.path, "opsbot.db"),
    logger: silentLogger(),
    chat,
    clock: systemClock,
    reporter: { minUpdateMs: 50, outputFlushMs: 50 },
  });
  chat.attach(core.router);
});

afterEach(async () => {
  await core.services.orchestration?.idle();
  await core.services.runReporter?.idle();
  core.close();
  dir.cleanup();
});

const settle = async () => {
  await core.services.orchestration!.idle();
  await core.services.runReporter!.idle();
};
const said = () => out.join("");
const say = async (line: string) => {
  const from = out.length;
  await chat.handleLine(line);
  await core.services.runReporter!.idle();
  return out.slice(from).join("");
};

describe("approvals in the console", () => {
  it("request message with numbered buttons; refusals; a numbered click approves; the checklist and summary follow", async () => {
    const asked = await say("run deploy version=v1.2 token=hunter2-zz");
    expect(asked).toContain("Run 1 · deploy · waiting for approval");
    expect(asked).toContain("token=••••••");
    expect(asked).toContain("○ build");
    expect(asked).toMatch(/\[(\d+)\] Approve {3}\[\d+\] Reject {3}\[\d+\] Details/);
    expect(asked).toContain("Run 1 of deploy is waiting for approval");
    const approveChoice = /\[(\d+)\] Approve/.exec(asked)![1]!;

    expect(await say("approve 1")).toContain(
      "You can't approve run 1 (deploy): only role:ops may decide this",
    );
    expect(await say("as carol")).toContain("You are now carol (ops)");
    expect(await say(approveChoice)).toContain("Run 1 (deploy) approved by carol");
    expect(await say("as bob approve 1")).toContain(
      "Too late to approve run 1 (deploy): it was already approved by carol",
    );
    await settle();
    const text = said();
    expect(text).toContain("Run 1 · deploy · succeeded");
    expect(text).toMatch(/✓ build — /);
    expect(text).toContain("building v1.2 with [redacted]");
    expect(text).toContain("@alice\n✓ Run 1 (deploy) succeeded");
    expect(text).not.toContain("hunter2-zz");
  });

  it("reject, and min_approvals 2 with a double approval counted once", async () => {
    await say("run deploy version=v2 token=t");
    expect(await say("as bob reject 1")).toContain("Run 1 (deploy) rejected by bob");
    await settle();
    expect(said()).toContain("Run 1 · deploy · rejected");
    expect(core.services.orchestration!.view(1)!.steps.every((s) => s.status !== "succeeded")).toBe(true);

    await say("run pair");
    expect(await say("as bob approve 2")).toContain("bob approved (1 of 2); waiting for more approvers");
    expect(await say("as bob approve 2")).toContain(
      "You already approved run 2 (pair); clicking again changes nothing",
    );
    expect(core.services.orchestration!.view(2)!.run.status).toBe("pending");
    expect(await say("as carol approve 2")).toContain("Run 2 (pair) approved by bob, carol");
    await settle();
    expect(said()).toContain("Run 2 · pair · succeeded");
  });

  it("Cancel is for the requester and approvers; others are told privately", async () => {
    await say("run long");
    await say("as bob approve 1");
    await chat.handleLine("as alice");
    const started = Date.now();
    while (
      core.services.orchestration!.view(1)!.steps[0]!.status !== "running" &&
      Date.now() - started < 10_000
    )
      await new Promise((r) => setTimeout(r, 20));
    await core.services.runReporter!.idle();
    const cancelChoice = [...said().matchAll(/\[(\d+)\] Cancel/g)].at(-1)![1]!;
    await chat.handleLine("as dave");
    // A dangerous click asks first: nothing happens until "yes".
    expect(await say(cancelChoice)).toContain("Type yes to cancel run 1; anything else keeps it.");
    expect(await say("no")).toContain("Not done: cancel run 1.");
    expect(await say(cancelChoice)).toContain("stops its running steps and runs their rollback steps");
    expect(await say("yes")).toContain(
      "Only the requester, an approver of long or an admin may cancel run 1.",
    );
    expect(core.services.orchestration!.view(1)!.run.status).toBe("running");
    await chat.handleLine("as alice");
    await say(cancelChoice);
    expect(await say("yes")).toContain("alice cancelled run 1: stopping its steps, then rollbacks.");
    await settle();
    expect(core.services.orchestration!.view(1)!.run.status).toBe("cancelled");
    expect(said()).toContain("Run 1 · long · cancelled");
  });
});
