import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SlackEmulator, slashCommand, startSlackEmulator } from "../support/slack-emulator/index.js";
import { tempDir } from "../support/temp.js";

/** `opsbot start` as a user runs it: the compiled CLI, configured only through the environment. */
const CLI = join(process.cwd(), "dist", "src", "cli.js");
const dir = tempDir();
let emu: SlackEmulator;
let child: ChildProcess | undefined;

beforeAll(async () => {
  if (!process.env.OPSBOT_SKIP_BUILD) execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
  expect(existsSync(CLI)).toBe(true);
  writeFileSync(join(dir.path, "opsbot.yaml"), "roles:\n  admin: [U0ALICE01]\n");
  emu = await startSlackEmulator();
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill("SIGTERM");
    await new Promise((resolve) => child?.once("exit", resolve));
  }
  await emu?.stop();
  dir.cleanup();
});

const baseEnv = () => ({ PATH: process.env.PATH, HOME: dir.path, OPSBOT_LOG_LEVEL: "warn" });

describe("opsbot start with Slack settings", () => {
  it("connects in Socket Mode and answers /ops through the emulator, then stops cleanly on SIGTERM", async () => {
    let stderr = "";
    child = spawn(process.execPath, [CLI, "start"], {
      cwd: dir.path,
      env: {
        ...baseEnv(),
        SLACK_BOT_TOKEN: emu.botToken,
        SLACK_APP_TOKEN: emu.appToken,
        SLACK_API_URL: emu.apiUrl,
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    await emu
      .waitFor("a Socket Mode connection", () => emu.socket.connected > 0, 30_000)
      .catch((err: Error) => {
        throw new Error(`${err.message}; opsbot said: ${stderr}`);
      });
    const ack = await emu.socket.deliver(
      "slash_commands",
      slashCommand({ text: "whoami", responseUrl: emu.responseUrl("C0OPS0001", "U0ALICE01") }),
    );
    expect(ack.status).toBe("acked");
    const answer = await emu.waitFor("whoami reply", () =>
      emu.workspace.channelMessages("C0OPS0001").find((m) => m.text.includes("U0ALICE01")),
    );
    expect(answer.text).toContain("admin");
    expect(stderr).toContain("running in Slack (Socket Mode)");
    child.kill("SIGTERM");
    const code = await new Promise((resolve) => child?.once("exit", resolve));
    expect(code).toBe(0);
  }, 60_000);

  it.each([
    [
      { SLACK_BOT_TOKEN: "", SLACK_APP_TOKEN: "xapp-1" },
      /^opsbot: SLACK_BOT_TOKEN is empty: copy the Bot User OAuth Token/,
    ],
    [{ SLACK_BOT_TOKEN: "xoxb-1" }, /^opsbot: SLACK_APP_TOKEN is not set: create an app-level token/],
    [
      { SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "", PORT: "3000" },
      /^opsbot: SLACK_SIGNING_SECRET is empty/,
    ],
  ])("refuses to start with %j, naming the variable in one sentence", (env, message) => {
    const r = spawnSync(process.execPath, [CLI, "start"], {
      cwd: dir.path,
      env: { ...baseEnv(), ...env },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
