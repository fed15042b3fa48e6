import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type BotProcess, buildCli, cliEnv, opsbotSync, startBot } from "../support/cli-process.js";
import { waitFor } from "../support/orch-wait.js";
import { tempDir } from "../support/temp.js";

/**
 * One owner per database, with real processes: `opsbot start` (console, stdin kept open) on a real
 * SQLite file, and `opsbot ask` / a second `opsbot start` beside it, all from the built CLI.
 */
const RUNBOOKS = {
  // $PPID of the step's shell is the process that executed the step.
  whoran: `name: whoran
approvers: [role:ops]
steps:
  - id: say
    local: { command: "echo ran-by=$PPID" }
`,
  slow: `name: slow
approvers: [role:ops]
steps:
  - id: wait
    local: { command: "echo started; sleep 30; echo done" }
`,
};

// Long enough that a loaded machine never stalls a live holder past it; short enough for the test.
const STALE = "5s";

let dir: ReturnType<typeof tempDir>;
let config: string;
let db: string;
const bots: BotProcess[] = [];

beforeAll(() => buildCli(), 120_000);

beforeEach(() => {
  dir = tempDir("opsbot-owner-");
  const runbooks = join(dir.path, "runbooks");
  mkdirSync(runbooks);
  for (const [name, text] of Object.entries(RUNBOOKS)) writeFileSync(join(runbooks, `${name}.yaml`), text);
  config = join(dir.path, "opsbot.yaml");
  writeFileSync(
    config,
    `roles: { ops: [bob] }
orchestration: { runbooks_dir: ${JSON.stringify(runbooks)}, allow_local: true, watch: false, shutdown_grace: 1s }
owner: { stale_after: ${STALE}, heartbeat: 300ms }
devices:
  - { name: sw1, host: 127.0.0.1 }
  - { name: sw2, host: 127.0.0.1 }
`,
  );
  db = join(dir.path, "opsbot.db");
});

afterEach(async () => {
  await Promise.all(bots.splice(0).map((b) => b.kill()));
  dir.cleanup();
});

const start = (...extra: string[]) => {
  const bot = startBot(["start", "--console", "--config", config, "--db", db, ...extra], { cwd: dir.path });
  bots.push(bot);
  return bot;
};
const ask = (text: string, ...flags: string[]) =>
  opsbotSync(["ask", "--config", config, "--db", db, ...flags, text], { cwd: dir.path });
const row = <T>(sql: string, ...params: unknown[]): T | undefined => {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare(sql).get(...params) as T | undefined;
  } finally {
    d.close();
  }
};
const runStatus = (id: number) => row<{ status: string }>("SELECT status FROM runs WHERE id = ?", id)?.status;
const ready = (bot: BotProcess) =>
  waitFor(() => bot.stdout().includes("opsbot console"), 60_000, "the bot's banner");

describe("opsbot start owns the database", () => {
  it("ask sends commands to the running bot: an approval runs the steps in the bot, whose message goes live", async () => {
    const bot = start();
    await ready(bot);
    const requested = ask("run whoran", "--as", "alice", "--verbose");
    expect(requested.code).toBe(0);
    expect(requested.stderr).toContain(`ran in the owner (pid ${bot.pid})`);
    const approved = ask("approve 1", "--as", "bob", "--verbose");
    expect(approved.stdout).toMatch(/approved by bob/);
    expect(approved.stderr).toContain(`ran in the owner (pid ${bot.pid})`);
    await waitFor(() => runStatus(1) === "succeeded", 60_000, "run 1 to succeed");
    const output = row<{ text: string }>(
      "SELECT group_concat(text, '') AS text FROM run_output WHERE run_id = 1",
    );
    expect(output?.text).toContain(`ran-by=${bot.pid}`);
    // The bot's own run message was updated to the outcome.
    await waitFor(
      () =>
        /Run 1 · whoran · succeeded[\s\S]*\(updated\)|\(updated\)[\s\S]*Run 1 · whoran · succeeded/.test(
          bot.stdout(),
        ),
      60_000,
      "the live message",
    );
  }, 180_000);

  it("a second start refuses and names the holder; after kill -9 a waiting one takes over and recovers the run", async () => {
    const first = start();
    await ready(first);
    const second = opsbotSync(["start", "--console", "--config", config, "--db", db], { cwd: dir.path });
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(
      new RegExp(`Another opsbot owns .*opsbot\\.db: start \\(pid ${first.pid} on `),
    );
    expect(second.stderr).toContain("--wait");

    expect(ask("run slow", "--as", "alice").code).toBe(0);
    expect(ask("approve 1", "--as", "bob").code).toBe(0);
    await waitFor(
      () => row("SELECT 1 FROM run_steps WHERE run_id = 1 AND status = 'running'"),
      60_000,
      "the step",
    );
    const waiting = start("--wait");
    await waitFor(() => waiting.stderr().includes("waiting for the owner lease"), 60_000, "the wait notice");
    first.child.kill("SIGKILL");
    await first.exited;
    await ready(waiting);
    // Recovery ran in the new owner: the step's outcome is unknown, so the run is interrupted.
    await waitFor(() => runStatus(1) === "interrupted", 60_000, "recovery");
    expect(row<{ pid: number }>("SELECT pid FROM owner_lease")?.pid).toBe(waiting.pid);
    const status = ask("run status 1", "--verbose");
    expect(status.stderr).toContain(`ran in the owner (pid ${waiting.pid})`);
    expect(status.stdout + status.stderr).toMatch(/Run 1 · slow · interrupted/);
  }, 180_000);

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal} with a run in flight: exit 0, no stack trace, the run interrupted through the journal`, async () => {
      const bot = start();
      await ready(bot);
      ask("run slow", "--as", "alice");
      ask("approve 1", "--as", "bob");
      await waitFor(
        () => row("SELECT 1 FROM run_steps WHERE run_id = 1 AND status = 'running'"),
        60_000,
        "the step",
      );
      bot.child.kill(signal);
      const { code } = await bot.exited;
      expect(code).toBe(0);
      expect(bot.stderr()).not.toMatch(/\n\s+at /);
      expect(runStatus(1)).toBe("interrupted");
      const step = row<{ status: string }>("SELECT status FROM run_steps WHERE run_id = 1");
      expect(step?.status).toBe("interrupted");
      // Released: the next start takes the lease at once and reports the run as it is.
      expect(row("SELECT 1 FROM owner_lease")).toBeUndefined();
      const next = start();
      await ready(next);
      const status = ask("run status 1");
      expect(status.stdout + status.stderr).toMatch(/Run 1 · slow · interrupted/);
    }, 180_000);
  }

  it("quit with a run that finishes within the grace: exit 0 and the run succeeded", async () => {
    const bot = start();
    await ready(bot);
    ask("run whoran", "--as", "alice");
    bot.child.stdin.write("as bob\napprove 1\nquit\n");
    const { code } = await bot.exited;
    expect(code).toBe(0);
    expect(bot.stderr()).not.toMatch(/\n\s+at /);
    expect(runStatus(1)).toBe("succeeded");
  }, 180_000);
});

describe("SIGHUP", () => {
  it("a bad file keeps the running config and says why; a good one takes effect without a restart", async () => {
    const bot = start();
    await ready(bot);
    const good = readFileSync(config, "utf8");
    writeFileSync(config, `${good}polling: { concurrency: lots }\n`);
    bot.child.kill("SIGHUP");
    await waitFor(() => bot.stdout().includes("Config not reloaded"), 60_000, "the admin notice");
    expect(bot.stdout()).toMatch(/polling\.concurrency: expected number, got "lots"/);
    // Asked with a config of its own (ask reads --config too, and this one is broken now).
    const other = join(dir.path, "other.yaml");
    writeFileSync(other, "{}\n");
    const still = opsbotSync(["ask", "--config", other, "--db", db, "--verbose", "fleet"], { cwd: dir.path });
    expect(still.stderr).toContain(`ran in the owner (pid ${bot.pid})`);
    expect(still.stdout).toMatch(/Fleet: 2 devices/);
    writeFileSync(config, `${good}  - { name: sw3, host: 127.0.0.1 }\n`);
    bot.child.kill("SIGHUP");
    await waitFor(() => bot.stdout().includes("Config reloaded."), 60_000, "the reload");
    const fleet = ask("fleet", "--verbose");
    expect(fleet.stderr).toContain(`ran in the owner (pid ${bot.pid})`);
    expect(fleet.stdout).toMatch(/Fleet: 3 devices/);
    bot.child.kill("SIGTERM");
    expect((await bot.exited).code).toBe(0);
  }, 180_000);
});

describe("nothing is wiped", () => {
  it("ask from a directory without a config answers from the database, warns, and leaves every row", () => {
    expect(ask("fleet").code).toBe(0); // with the config: registers sw1 and sw2
    const elsewhere = join(dir.path, "elsewhere");
    mkdirSync(elsewhere);
    const r = opsbotSync(["ask", "links down"], {
      cwd: elsewhere,
      env: cliEnv(elsewhere, { OPSBOT_DB: db }),
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: no config file at \.\/opsbot\.yaml; answering from the database/);
    expect(row<{ n: number }>("SELECT count(*) AS n FROM device_state WHERE removed_at IS NULL")?.n).toBe(2);
    const fleet = opsbotSync(["ask", "fleet"], { cwd: elsewhere, env: cliEnv(elsewhere, { OPSBOT_DB: db }) });
    expect(fleet.stdout).toMatch(/Fleet: 2 devices/);
  });

  it("a device that leaves the config is marked removed: left out of answers, said so in fleet, kept", () => {
    expect(ask("fleet").code).toBe(0);
    writeFileSync(config, `devices:\n  - { name: sw1, host: 127.0.0.1 }\n`);
    const fleet = ask("fleet");
    expect(fleet.stdout).toMatch(/Fleet: 1 device\b/);
    expect(fleet.stdout).toMatch(/1 device removed from the config is not counted/);
    expect(ask("device sw2").code).toBe(1);
    expect(row<{ n: number }>("SELECT count(*) AS n FROM device_state")?.n).toBe(2);
  });
});
