import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { renderPlan } from "../../src/orchestration/presenters/dry-run.js";
import { type TestCore, testCore } from "../support/core.js";
import { tempDir } from "../support/temp.js";

/** The chat commands through the real router (console transport), a real store and real /bin/sh steps. */
const HELLO = `name: hello
description: Say hello
params:
  who: { type: string, pattern: "[a-z]+" }
steps:
  - id: greet
    local: { command: "echo hello {{ params.who }}" }
`;
const GUARDED = `name: guarded
params:
  token: { type: string, secret: true }
approvers: [role:ops]
steps:
  - id: use
    local: { command: "echo using {{ params.token }}" }
`;

let core: TestCore;
let dir: ReturnType<typeof tempDir>;

beforeEach(() => {
  dir = tempDir();
  const runbooks = join(dir.path, "runbooks");
  mkdirSync(runbooks);
  writeFileSync(join(runbooks, "hello.yaml"), HELLO);
  writeFileSync(join(runbooks, "guarded.yaml"), GUARDED);
  writeFileSync(join(runbooks, "broken.yaml"), "name: broken\nsteps:\n  - id: x\n    wait: never\n");
  core = testCore(
    `roles: { ops: [alice, bob] }
orchestration: { runbooks_dir: ${JSON.stringify(runbooks)}, allow_local: true, watch: false }
`,
  );
});

afterEach(async () => {
  await core.services.orchestration?.idle();
  core.cleanup();
  dir.cleanup();
});

const say = async (text: string, as = "alice") => {
  const r = await core.ask(text, as);
  return { ...r, text: replyToPlainText(r.reply) };
};

describe("orchestration chat commands", () => {
  it("runbooks lists what can run and what is broken", async () => {
    const r = await say("runbooks");
    expect(r.outcome).toBe("ok");
    expect(r.text).toContain("guarded");
    expect(r.text).toContain("hello | Say hello | who:string");
    expect(r.text).toMatch(/broken\.yaml:4:11: steps\[0\]\.wait: a duration such as 30s/);
  });

  it("run --dry-run shows the plan with the value quoted and executes nothing", async () => {
    const r = await say("run hello who=world --dry-run");
    expect(r.outcome).toBe("ok");
    expect(r.text).toContain("Dry run of hello: nothing was executed");
    expect(r.text).toContain("local: echo hello 'world'");
    expect(r.text).toContain("Approval: none");
    expect(core.services.orchestration!.runs()).toEqual([]);
  });

  it("run starts a runbook without approvers; run status shows the checklist and output", async () => {
    const r = await say("run hello who=world");
    expect(r.text).toContain("Run 1 of hello started.");
    await core.services.orchestration!.idle();
    const s = await say("run status 1");
    expect(s.text).toContain("Run 1 · hello · succeeded");
    expect(s.text).toMatch(/✓ greet — \d+/);
    expect(s.text).toContain("hello world");
    expect((await say("runs")).text).toContain("1 | hello | succeeded");
  });

  it("bad parameters are all reported, and nothing is requested", async () => {
    const r = await say("run hello who=World bogus=1");
    expect(r.outcome).toBe("user_error");
    expect(r.text).toContain("unknown parameter bogus (expected one of: who)");
    expect(r.text).toContain('parameter who: "World" does not match /[a-z]+/');
    expect((await say("run nope")).text).toContain("No runbook named nope.");
    expect(core.services.orchestration!.runs()).toEqual([]);
  });

  it("a guarded run waits for approval; its secret never reaches the audit log; cancel is for the requester or approvers", async () => {
    const r = await say("run guarded token=s3cr3t-value-42");
    expect(r.outcome).toBe("ok");
    expect(r.text).toContain("Run 1 of guarded is waiting for approval: 1 of role:ops (not you)");
    expect(r.text).toContain("token=••••••");
    expect((await say("runs active")).text).toContain("1 | guarded | waiting for approval");
    const audit = core.store.db.prepare("SELECT text FROM audit").all() as { text: string }[];
    expect(audit.map((a) => a.text).join("\n")).not.toContain("s3cr3t-value-42");
    expect(audit.map((a) => a.text)).toContain("run guarded token=[redacted]");

    // What the request message's buttons build on: the run's own plan and its open approval.
    const o = core.services.orchestration!;
    const { preview } = await o.runPlan(1);
    expect(replyToPlainText(renderPlan(preview, new Map()))).toContain("local: echo using '••••••'");
    expect(o.pendingApprovals(1).map((a) => [a.stepKey, a.approvers])).toEqual([[null, ["role:ops"]]]);

    const denied = await say("cancel 1", "mallory");
    expect(denied.outcome).toBe("denied");
    expect(denied.text).toContain("Only the requester, an approver of guarded or an admin may cancel run 1.");
    const cancelled = await say("cancel 1", "bob");
    expect(cancelled.text).toContain("Run 1 cancelled.");
    expect(core.services.orchestration!.view(1)?.run.status).toBe("cancelled");
    expect(o.pendingApprovals(1)).toEqual([]);
    expect((await say("abort 1")).text).toContain("Run 1 cannot be aborted: it is cancelled.");
    expect((await say("resume 1")).text).toContain("Run 1 is cancelled; only interrupted runs resume.");
    expect((await say("run status 99")).text).toContain("No run 99.");
  });
});
