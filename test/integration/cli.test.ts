import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/temp.js";

const CLI = join(process.cwd(), "dist", "src", "cli.js");
const dir = tempDir();

beforeAll(() => {
  // The spawned CLI runs the compiled code; build once so the test sees the current sources.
  if (!process.env.OPSBOT_SKIP_BUILD) execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
  expect(existsSync(CLI)).toBe(true);
});
afterAll(() => dir.cleanup());

function opsbot(args: string[], input?: string, extraEnv: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: dir.path,
    input,
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: dir.path, OPSBOT_USER: "alice", ...extraEnv },
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("opsbot CLI (spawned)", () => {
  it("ask help lists commands and exits 0, creating the default database", () => {
    const r = opsbot(["ask", "help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/help \[command…\]/);
    expect(existsSync(join(dir.path, "data", "opsbot.db"))).toBe(true);
  });

  it("ask with a typo exits 1 and suggests help", () => {
    const r = opsbot(["ask", "hlep"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Did you mean `help`\?/);
  });

  it("ask --json prints the reply model", () => {
    const r = opsbot(["ask", "--json", "whoami"]);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout);
    expect(parsed.outcome).toBe("ok");
    expect(parsed.reply.blocks[0].fields).toContainEqual({ label: "User", value: "alice" });
    expect(parsed.data).toMatchObject({ kind: "whoami", version: 1, user: { name: "alice" } });
  });

  it("the console chat logs to a file (path printed at start) unless --log-stderr", () => {
    const config = join(dir.path, "one-device.yaml");
    writeFileSync(
      config,
      "devices:\n  - { name: sw1, host: 127.0.0.1, snmp: { port: 9, community: x, timeout_ms: 100, retries: 0 } }\n",
    );
    const env = { OPSBOT_LOG_LEVEL: "info" };
    const quiet = opsbot(["start", "--console", "--config", config], "fleet\nquit\n", env);
    expect(quiet.code).toBe(0);
    const logFile = join(dir.path, "data", "opsbot.log");
    expect(quiet.stdout).toContain(`Logs: ${logFile}`);
    expect(quiet.stdout).toContain("Fleet: 1 device");
    expect(quiet.stdout + quiet.stderr).not.toContain('"app":"opsbot"');
    expect(readFileSync(logFile, "utf8")).toContain('"msg":"poller started"');
    const loud = opsbot(["start", "--console", "--log-stderr", "--config", config], "quit\n", env);
    expect(loud.code).toBe(0);
    expect(loud.stderr).toContain('"msg":"poller started"');
  });

  it("ask --as switches identity and roles come from the config", () => {
    const config = join(dir.path, "roles.yaml");
    writeFileSync(config, "roles:\n  admin: [root-admin]\n");
    expect(opsbot(["ask", "--config", config, "--as", "carol", "audit"]).code).toBe(1);
    expect(opsbot(["ask", "--config", config, "--as", "root-admin", "audit"]).code).toBe(0);
  });

  it("a config with a wrong type names the key path and expectation, without a stack trace", () => {
    const config = join(dir.path, "bad.yaml");
    writeFileSync(config, "polling:\n  concurrency: lots\n");
    const r = opsbot(["ask", "--config", config, "help"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:2:3 polling\.concurrency: expected number, got "lots"/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("an unreadable config or database path gives one clear sentence", () => {
    const missing = opsbot(["ask", "--config", join(dir.path, "missing.yaml"), "help"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /^opsbot: Cannot read the config file .*missing\.yaml: it does not exist\./,
    );
    const file = join(dir.path, "plain-file");
    writeFileSync(file, "x");
    const db = opsbot(["ask", "--db", join(file, "x.db"), "help"]);
    expect(db.code).toBe(2);
    expect(db.stderr).toMatch(/^opsbot: Cannot open the database at .*plain-file\/x\.db/);
    expect(db.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("every subcommand has --help, and unknown flags are usage errors", () => {
    for (const sub of ["ask", "start", "demo"]) {
      const r = opsbot([sub, "--help"]);
      expect(r.code, sub).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: opsbot ${sub}`));
    }
    const bad = opsbot(["ask", "--bogus", "help"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Unknown option '--bogus'/);
  });

  it("the demo reads commands from a pipe and answers as the demo users", () => {
    const r = opsbot(["demo"], "whoami\nas carol\naudit\nas alice\naudit\n");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Roles:\s+admin, oncall/);
    expect(r.stdout).toMatch(/`audit` needs the admin role, which you \(carol\) don't have/);
    expect(r.stdout).toMatch(/WHEN\s+WHO\s+WHERE/);
  });
});
