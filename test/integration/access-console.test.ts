import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commands } from "../../commands/index.js";
import { ConsoleChat } from "../../src/chat/console/console-chat.js";
import { replyToPlainText } from "../../src/chat/reply.js";
import { parseConfig } from "../../src/config/load.js";
import { parseRunbook } from "../../src/orchestration/runbooks/parse.js";
import { formatProblem } from "../../src/orchestration/runbooks/problems.js";
import { type TestCore, testCore } from "../support/core.js";
import { tempDir } from "../support/temp.js";

/**
 * Who may do what, through the real router, store and orchestration with the console-side pieces:
 * roles on side-effecting commands, runbook runners and channel scopes, approvability, break-glass,
 * refusals audited as denied, audit filters and the JSON Lines export.
 */
const RUNBOOKS = {
  // Worked example of the README: on-call restarts services, only in #ops-prod; ops approves.
  "service-restart": `name: service-restart
params: { service: { type: string, pattern: "[a-z]+" } }
runners: [role:oncall]
channels: [ops-prod]
approvers: [role:ops]
steps:
  - id: restart
    local: { command: "echo restart {{ params.service }}" }
`,
  // Only the network team, two of them approving.
  "firmware-upgrade": `name: firmware-upgrade
runners: [role:netops]
approvers: [role:netops]
min_approvals: 2
steps:
  - id: upgrade
    local: { command: "echo upgrade" }
`,
  // Starts at once: its runners are named explicitly, one of them by user id.
  "cache-flush": `name: cache-flush
runners: [role:oncall, user:erin]
steps:
  - id: flush
    local: { command: "echo flushed" }
`,
  // Nobody but its only approver's own requests.
  solo: `name: solo
runners: [role:oncall]
approvers: [role:lonely]
steps:
  - id: x
    local: { command: "true" }
`,
};

const YAML = (dir: string) => `roles:
  admin: [alice]
  oncall: [alice, bob]
  ops: [bob, frank]
  netops: [dave, gina, henry]
  lonely: [bob]
  pager: { members: [carol], channels: [ops-prod] }
channels:
  ops-prod: "#ops-prod"
  security: "#security"
approvals:
  break_glass: { role: admin, announce: security }
secrets: ["hunter2-very-secret"]
orchestration: { runbooks_dir: ${JSON.stringify(dir)}, allow_local: true, watch: false }
`;

let dir: ReturnType<typeof tempDir>;
let core: TestCore;

beforeEach(() => {
  dir = tempDir();
  const runbooks = join(dir.path, "runbooks");
  mkdirSync(runbooks);
  for (const [name, text] of Object.entries(RUNBOOKS)) writeFileSync(join(runbooks, `${name}.yaml`), text);
  core = testCore(YAML(runbooks));
});

afterEach(async () => {
  await core.services.orchestration.idle();
  core.cleanup();
  dir.cleanup();
});

/** A typed command as `who` in `channel`. */
const say = async (text: string, who: string, channel = "#ops-prod") => {
  const r = await core.router.handle(text, { user: core.user(who), channel, transport: "console" });
  return { outcome: r.outcome, text: replyToPlainText(r.reply), reply: r.reply };
};

describe("who may do what (console)", () => {
  it("every command with side effects names who may run it", () => {
    const undocumented = commands.filter((c) => c.sideEffects && !c.role && !c.access).map((c) => c.name);
    expect(undocumented).toEqual([]);
    expect(commands.filter((c) => c.sideEffects).length).toBeGreaterThan(8);
  });

  it("a user with no role is refused every side-effecting command and every runbook, each refusal audited as denied", async () => {
    const requested = await say("run service-restart service=nginx", "alice");
    expect(requested.outcome).toBe("ok");
    const tries = [
      "refresh core-sw1",
      "backup now core-sw1",
      "silence core-sw1 1h",
      "unsilence 1",
      "ack 1",
      "run service-restart service=nginx",
      "run cache-flush",
      "run firmware-upgrade",
      "approve 1",
      "reject 1",
      "cancel 1",
      "abort 1",
      "resume 1",
    ];
    for (const t of tries) {
      const r = await say(t, "zoe");
      expect({ t, outcome: r.outcome }).toEqual({ t, outcome: "denied" });
    }
    expect((await say("run service-restart service=nginx", "zoe")).text).toContain(
      "service-restart may be requested by the oncall role (or an admin); you (zoe) are none of them",
    );
    expect((await say("refresh core-sw1", "zoe")).text).toContain(
      "needs the oncall role, which you (zoe) don't have",
    );
    const denied = core.services.audit.recent(50, { user: "zoe", outcome: "denied" });
    expect(denied.length).toBe(tries.length + 2);
    expect(core.services.orchestration.runs({ limit: 10 }).map((r) => r.requestedByName)).toEqual(["alice"]);
    // Read-only answers still work.
    expect((await say("runbooks", "zoe")).outcome).toBe("ok");
  });

  it("runners by role and by user id; runbooks and help run list only what the user may request", async () => {
    expect((await say("run cache-flush", "erin")).outcome).toBe("ok");
    expect((await say("run cache-flush", "bob")).outcome).toBe("ok");
    expect((await say("run firmware-upgrade", "bob")).outcome).toBe("denied");
    expect((await say("run firmware-upgrade", "dave")).outcome).toBe("ok");

    const erin = await say("runbooks", "erin");
    expect(erin.text).toContain("cache-flush");
    expect(erin.text).not.toContain("service-restart");
    expect(erin.text).toContain("3 more runbook(s) are for other people");
    const help = await say("help run", "dave");
    expect(help.text).toContain("firmware-upgrade");
    expect(help.text).not.toContain("cache-flush");
    expect((await say("help run", "zoe")).text).toContain("You may not request any runbook");
    const bob = await say("runbooks", "bob", "#random");
    expect(bob.text).toMatch(/service-restart \| .* \| #ops-prod \(not here\)/);
  });

  it("a runbook without approvers and without runners fails validation at its name's line", () => {
    const r = parseRunbook(
      "# a comment\nname: open-door\nsteps:\n  - id: x\n    wait: 1s\n",
      "runbooks/open-door.yaml",
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map(formatProblem)).toEqual([
      "runbooks/open-door.yaml:2:7: name: a runbook without approvers starts at once: name who may request it with runners: [role:…, user:…, group:…]",
    ]);
  });

  it("channel scope: a runbook and a role grant hold only in their channels", async () => {
    const wrong = await say("run service-restart service=nginx", "bob", "#random");
    expect(wrong.outcome).toBe("denied");
    expect(wrong.text).toContain("service-restart may only be requested in #ops-prod");
    expect((await say("run service-restart service=nginx", "bob", "#ops-prod")).outcome).toBe("ok");
    // Deciding from elsewhere is refused too; in the run's channel it counts.
    const elsewhere = await say("approve 1", "frank", "#random");
    expect(elsewhere.outcome).toBe("denied");
    expect(elsewhere.text).toContain("may only be approved or rejected in #ops-prod");
    expect((await say("approve 1", "frank", "#ops-prod")).text).toContain("approved by frank");
  });

  it("a role grant limited to channels holds only there, and the refusal says where", async () => {
    const pager = {
      name: "page",
      summary: "page someone",
      examples: ["page"],
      sideEffects: true,
      role: "pager",
      handler: () => ({ blocks: [] }),
    };
    const scoped = testCore(YAML(join(dir.path, "runbooks")), { commands: [...commands, pager] });
    try {
      const carol = (channel: string) =>
        scoped.router.handle("page", { user: scoped.user("carol"), channel, transport: "console" });
      expect((await carol("#ops-prod")).outcome).toBe("ok");
      const elsewhere = await carol("#random");
      expect(elsewhere.outcome).toBe("denied");
      expect(replyToPlainText(elsewhere.reply)).toContain(
        "needs the pager role, which carol holds only in #ops-prod",
      );
    } finally {
      scoped.cleanup();
    }
  });

  it("a request nobody but the requester could approve is refused up front, saying why", async () => {
    const r = await say("run solo", "bob");
    expect(r.outcome).toBe("denied");
    expect(r.text).toContain("Nobody could approve solo for you");
    expect(r.text).toContain("the lonely role's only member is you");
    expect(core.services.orchestration.runs({ limit: 10 })).toEqual([]);
    // Someone else may request it: bob can approve.
    expect((await say("run solo", "alice")).outcome).toBe("ok");
    // Load-time warnings name the same.
    expect(core.services.orchestration.access.warnings(core.services.orchestration.runbooks())).toEqual(
      expect.arrayContaining([
        expect.stringContaining("solo: every one of the 1 possible approvers must approve"),
      ]),
    );
  });

  it("break-glass needs the role and a reason, is marked in the thread, announced and audited", async () => {
    expect((await say("run service-restart service=nginx", "alice")).outcome).toBe("ok");
    const noRole = await say('approve 1 --break-glass "prod down"', "bob");
    expect(noRole.outcome).toBe("denied");
    expect(noRole.text).toContain("needs the admin role");
    const noReason = await say('approve 1 --break-glass " "', "alice");
    expect(noReason.outcome).toBe("denied");
    expect(noReason.text).toContain("needs a reason");
    expect(core.services.orchestration.view(1)!.run.status).toBe("pending");
    // alice requested it herself: only break-glass lets her approve.
    expect((await say("approve 1", "alice")).outcome).toBe("denied");
    const glass = await say('approve 1 --break-glass "prod down, nobody on call"', "alice");
    expect(glass.outcome).toBe("ok");
    expect(glass.text).toContain("approved by alice (break-glass)");
    await core.services.orchestration.idle();
    const parent = core.services.orchestration.parentMessage(1)!;
    const marks = core.chat.posts.filter((p) => p.text.includes("BREAK-GLASS"));
    expect(marks.map((m) => [m.channel, m.threadTs ?? null])).toEqual(
      expect.arrayContaining([
        [parent.channel, parent.ts],
        ["#security", null],
      ]),
    );
    expect(marks[0]!.text).toContain("Reason: prod down, nobody on call");
    const row = core.services.audit.recent(1, { command: "approve", outcome: "ok" })[0]!;
    expect(row.detail).toBe("break-glass: prod down, nobody on call");
    expect(row.runId).toBe(1);
    const events = core.store.db.prepare("SELECT event, detail FROM run_journal WHERE run_id = 1").all() as {
      event: string;
      detail: string;
    }[];
    expect(events.find((e) => e.event === "approval.break_glass")?.detail).toContain(
      "prod down, nobody on call",
    );
  });

  it("audit filters by user, command, outcome, run, channel and time", async () => {
    await say("run service-restart service=nginx", "alice");
    await say("approve 1", "zoe", "#random");
    await say("approve 1", "bob");
    const audit = (q: string) => say(`audit ${q}`, "alice").then((r) => r.text);
    expect(await audit("outcome=denied")).toMatch(/zoe \| #random \| approve 1 \| denied/);
    expect(await audit("user=bob")).not.toContain("zoe");
    expect(await audit("run=1")).toContain("approve 1");
    expect(await audit("channel=random")).toContain("zoe");
    expect(await audit("channel=random")).not.toContain("bob");
    expect(await audit("command=run")).toContain("run service-restart");
    expect(await audit("since=1h")).toContain("approve 1");
    core.clock.advance(3 * 3_600_000);
    expect(await audit("since=1h")).toContain("No entries match.");
    expect((await say("audit since=yesterday", "alice")).outcome).toBe("user_error");
  });
});

describe("impersonation and the audit export", () => {
  it("`as bob` in the console is recorded with the operating-system user; export writes redacted JSON Lines", async () => {
    const config = parseConfig(YAML(join(dir.path, "runbooks")), "test.yaml", {});
    const out: string[] = [];
    const chat = new ConsoleChat({
      config,
      userName: "alice",
      channel: "#ops-prod",
      write: (t) => out.push(t),
      osUser: "ops-laptop",
    });
    chat.attach(core.router);
    await chat.handleLine("as bob runbooks");
    await chat.handleLine("as ops-laptop whoami");
    const rows = core.services.audit.recent(2).reverse();
    expect(rows.map((r) => [r.userName, r.actingFor ?? null])).toEqual([
      ["bob", "os:ops-laptop"],
      ["ops-laptop", null],
    ]);
    // A row written before the secret was configured is redacted on the way out.
    core.services.audit.record({
      at: core.clock.now(),
      userId: "alice",
      userName: "alice",
      channel: "#ops-prod",
      transport: "console",
      kind: "command",
      text: "echo hunter2-very-secret",
      outcome: "denied",
    });
    const configPath = join(dir.path, "opsbot.yaml");
    writeFileSync(configPath, YAML(join(dir.path, "runbooks")));
    const dbPath = join(core.dir, "opsbot.db");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["dist/src/cli.js", "audit", "export", "--since", "3650d", "--config", configPath, "--db", dbPath],
      { cwd: process.cwd() },
    );
    const lines = stdout.trim().split("\n");
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.length).toBe(3);
    expect(parsed[0]).toMatchObject({
      user_name: "bob",
      acting_for: "os:ops-laptop",
      outcome: "ok",
      command: "runbooks",
    });
    expect(parsed[2]).toMatchObject({ text: "echo [redacted]", outcome: "denied" });
    expect(stdout).not.toContain("hunter2-very-secret");
    const denied = await promisify(execFile)(
      process.execPath,
      ["dist/src/cli.js", "audit", "export", "--outcome", "denied", "--config", configPath, "--db", dbPath],
      { cwd: process.cwd() },
    );
    expect(denied.stdout.trim().split("\n").length).toBe(1);
  });
});
