import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commands } from "../../commands/index.js";
import { ConsoleChat } from "../../src/chat/console/console-chat.js";
import { loadConfigFile } from "../../src/config/load.js";
import { type DemoFleet, startDemoFleet } from "../../src/demo/fleet.js";
import { silentLogger } from "../../src/lib/logger.js";
import { type Core, createCollector, createCore } from "../../src/main.js";
import { tempDir } from "../support/temp.js";

/**
 * Issue 14: help tells the truth. Every example of every command's help is typed into the console
 * adapter of a core over the demo's own simulated fleet (polled once) and the shipped runbooks: it must
 * parse and every name in it must resolve. Examples that name a numbered object (run 12, alert 12) may
 * find nothing in a fresh demo; they still must parse.
 */
const root = resolve(import.meta.dirname, "..", "..");
const NOT_RESOLVED =
  /did you mean|no (device|runbook|tag|site|rule)[ ,]|not a device|i don't know the command|usage:|expected|is not a duration|cannot succeed|needs the \w+ role/i;
/** "No run 12", "There is no run 12", "No alert #12", "No silence #12" — a fresh demo has none. */
const NO_SUCH_ID = /\b(no|there is no) (run|alert|silence|approval)s? #?\d+/i;

let fleet: DemoFleet;
let core: Core;
let collector: ReturnType<typeof createCollector>;
let chat: ConsoleChat;
let out: string[] = [];
let dir: ReturnType<typeof tempDir>;

beforeAll(async () => {
  dir = tempDir();
  fleet = await startDemoFleet(loadConfigFile(join(root, "demo", "opsbot.demo.yaml")));
  const config = {
    ...fleet.config,
    orchestration: { ...fleet.config.orchestration, runbooks_dir: join(root, "runbooks"), watch: false },
  };
  const logger = silentLogger();
  collector = createCollector({ logger });
  chat = new ConsoleChat({
    config,
    userName: "alice",
    channel: config.console.channel,
    write: (t) => out.push(t),
  });
  core = createCore({ config, dbPath: join(dir.path, "opsbot.db"), logger, chat, collector });
  chat.attach(core.router);
  await core.poller!.pollAll();
});

afterAll(async () => {
  await core?.services.orchestration.idle();
  await core?.shutdown();
  await collector?.close();
  await fleet?.stop();
  dir?.cleanup();
});

describe("every help example works against the demo", () => {
  const examples = commands.flatMap((c) => c.examples.map((e) => [c.name, e] as const));

  it("covers every command", () => {
    expect(new Set(examples.map(([name]) => name))).toEqual(new Set(commands.map((c) => c.name)));
  });

  it.each(examples)("%s: %s", async (_name, example) => {
    out = [];
    const ok = await chat.handleLine(example);
    const text = out.join("");
    await chat.handleLine("as alice");
    if (ok) return;
    expect(text).not.toMatch(NOT_RESOLVED);
    expect(text, `"${example}" failed: ${text}`).toMatch(NO_SUCH_ID);
  });

  it("help run, help links down and help as show examples that name real things", async () => {
    out = [];
    await chat.handleLine("help run");
    expect(out.join("")).toContain("run service-restart host=web01 service=nginx");
    out = [];
    await chat.handleLine("help links down");
    expect(out.join("")).toContain("links down hq");
    out = [];
    expect(await chat.handleLine("help as")).toBe(true);
    expect(out.join("")).toContain("`as <user>` switches who you are");
  });
});
