import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  actionIds,
  approvalsYaml,
  type Bot,
  parentMessage,
  person,
  SEED,
  startBot,
  threadOf,
  USERS,
  writeRunbooks,
} from "../support/approvals-harness.js";
import { type SlackEmulator, startSlackEmulator } from "../support/slack-emulator/index.js";
import { tempDir } from "../support/temp.js";

const REPO = resolve(import.meta.dirname, "../..");

// The step records that it began (and its process group), then works long enough to be killed.
const SLOW = `name: slow
approvers: [role:ops]
steps:
  - id: work
    local: { command: 'echo $$ > "$WORK/pid"; echo begin >> "$WORK/ran"; echo working; sleep 60; echo end >> "$WORK/ran"' }
  - id: after
    needs: [work]
    local: { command: 'echo after >> "$WORK/ran"' }
`;

let emu: SlackEmulator | undefined;
let bot: Bot | undefined;
let child: ChildProcess | undefined;
const dir = tempDir();
const work = dir.path;

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  const pid = existsSync(join(work, "pid")) ? Number(readFileSync(join(work, "pid"), "utf8")) : undefined;
  if (pid) {
    try {
      process.kill(-pid, "SIGKILL"); // the killed bot leaves its step's process group behind
    } catch {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  await bot?.stop();
  await emu?.stop();
  dir.cleanup();
});

const ran = () => (existsSync(join(work, "ran")) ? readFileSync(join(work, "ran"), "utf8") : "");

describe("a restart in the middle of a run", () => {
  it("says so in the run's thread with Resume / Abort, and runs nothing again without a fresh approval", async () => {
    emu = await startSlackEmulator({ seed: SEED });
    const yaml = approvalsYaml(writeRunbooks(dir.path, { slow: SLOW }));
    const yamlPath = join(dir.path, "opsbot.yaml");
    writeFileSync(yamlPath, yaml);
    const dbPath = join(dir.path, "opsbot.db");
    child = spawn(
      process.execPath,
      [
        "--import",
        join(REPO, "test/support/orch-ts-loader.mjs"),
        join(REPO, "test/support/approvals-bot-child.ts"),
        emu.apiUrl,
        emu.botToken,
        emu.appToken,
        dbPath,
        yamlPath,
      ],
      { cwd: REPO, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WORK: work } },
    );
    let out = "";
    child.stdout!.on("data", (d) => {
      out += String(d);
    });
    child.stderr!.on("data", (d) => {
      out += String(d);
    });
    // Generous: the child compiles TypeScript on the fly, slow on a loaded machine.
    await emu.waitFor("child bot ready", () => out.includes("ready") || child!.exitCode !== null, 120_000);
    expect(out).toContain("ready");
    await emu.socket.waitForConnection();
    const act = person(emu);

    await act.slash(USERS.alice, "C0OPS0001", "run slow");
    const request = await emu.waitFor("request", () => parentMessage(emu!, 1, "slow"), 15_000);
    await act.click(USERS.bob, request, "run.approve");
    await emu.waitFor("step running", () => ran().includes("begin"), 20_000);
    child.kill("SIGKILL");
    await emu.waitFor("child gone", () => child!.signalCode !== null && emu!.socket.connected === 0, 10_000);

    bot = await startBot({ emu, dbPath, yaml });
    const o = bot.core.services.orchestration!;
    expect(o.view(1)!.run.status).toBe("interrupted");
    const notice = await emu.waitFor(
      "interrupted notice in the thread",
      () => threadOf(emu!, request).find((m) => m.text.includes("Run 1 was interrupted")),
      15_000,
    );
    expect(actionIds(notice)).toEqual(["run.resume", "run.abort"]);
    expect(JSON.stringify(notice.blocks)).toContain(`<@${USERS.alice}>`);
    const parent = await emu.waitFor(
      "parent shows interrupted",
      () => {
        const m = parentMessage(emu!, 1, "slow");
        return m?.text.includes("interrupted") && actionIds(m).includes("run.resume") ? m : undefined;
      },
      15_000,
    );
    expect(parent.text).toContain("⚠ work");
    expect(actionIds(parent)).toEqual(["run.resume", "run.abort", "run.details"]);

    // Resume asks for a fresh approval: the request buttons come back, and nothing runs meanwhile.
    await act.click(USERS.alice, notice, "run.resume");
    const again = await emu.waitFor(
      "fresh approval requested",
      () => {
        const m = parentMessage(emu!, 1, "slow");
        return m && actionIds(m).includes("run.approve") ? m : undefined;
      },
      15_000,
    );
    expect(again.text).toContain("resume waiting for approval");
    expect(ran()).toBe("begin\n");
    expect(o.view(1)!.steps.map((s) => s.status)).toEqual(["interrupted", "pending"]);

    // Abort instead: nothing more runs, the thread is closed with a summary.
    await act.click(USERS.alice, notice, "run.abort");
    await emu.waitFor(
      "summary",
      () => threadOf(emu!, request).find((m) => m.text.includes("Run 1 (slow) aborted")),
      15_000,
    );
    expect(o.view(1)!.run.status).toBe("aborted");
    expect(ran()).toBe("begin\n");
    const final = await emu.waitFor(
      "parent shows aborted",
      () => {
        const m = parentMessage(emu!, 1, "slow");
        return m?.text.includes("· aborted") ? m : undefined;
      },
      15_000,
    );
    expect(actionIds(final)).toEqual([]);
    expect(ran()).toBe("begin\n");
  }, 90_000);
});
