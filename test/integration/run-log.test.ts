import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConsoleChat } from "../../src/chat/console/console-chat.js";
import { renderReply } from "../../src/chat/slack/block-kit.js";
import { parseConfig } from "../../src/config/load.js";
import { silentLogger } from "../../src/lib/logger.js";
import { type Core, createCore } from "../../src/main.js";
import { runbooksDir } from "../support/runbooks-dir.js";

/**
 * Issue 14: `run log N [step]` reads a run's stored output after the fact — paged in the console
 * adapter, a file in Slack when long. Real /bin/sh steps, real store; the console adapter is the real one.
 */
const NOISY = `name: noisy
steps:
  - id: count
    local: { command: "seq 1 3000" }
  - id: greet
    needs: [count]
    local: { command: "echo hello from greet" }
`;

let dir: ReturnType<typeof runbooksDir>;
let core: Core;
let chat: ConsoleChat;
let out: string[];

beforeEach(() => {
  dir = runbooksDir({ noisy: NOISY }, { allowLocal: true });
  const config = parseConfig(
    `roles: { admin: [alice] }
${dir.orchestrationYaml}
`,
    "test.yaml",
    {},
  );
  out = [];
  chat = new ConsoleChat({ config, userName: "alice", channel: "#ops", write: (t) => out.push(t) });
  core = createCore({ config, dbPath: join(dir.path, "opsbot.db"), logger: silentLogger(), chat });
  chat.attach(core.router);
});

afterEach(async () => {
  await core.services.orchestration.idle();
  core.close();
  dir.cleanup();
});

async function line(text: string): Promise<{ ok: boolean; text: string }> {
  out = [];
  const ok = await chat.handleLine(text);
  return { ok, text: out.join("") };
}

describe("run log", () => {
  it("shows the stored output of every step, a page at a time in the console", async () => {
    expect((await line("run noisy")).ok).toBe(true);
    await core.services.orchestration.idle();
    const first = await line("run log 1");
    expect(first.ok).toBe(true);
    expect(first.text).toContain("Run 1 (noisy), all steps: stored output");
    expect(first.text).toContain("── count (succeeded)");
    expect(first.text).toMatch(/^ {4}39$/m);
    expect(first.text).not.toMatch(/^ {4}40$/m);
    expect(first.text).toContain("40 of 3003 lines shown; type `more`");
    const second = await line("more");
    expect(second.text).toMatch(/^ {4}40$/m);
    expect(second.text).toMatch(/^ {4}79$/m);
    expect(second.text).not.toMatch(/^ {4}80$/m);
  });

  it("one step, by id; an unknown step gets a did-you-mean", async () => {
    await line("run noisy");
    await core.services.orchestration.idle();
    const greet = await line("run log 1 greet");
    expect(greet.text).toContain("hello from greet");
    expect(greet.text).not.toContain("3000");
    const typo = await line("run log 1 gret");
    expect(typo.ok).toBe(false);
    expect(typo.text).toContain('Run 1 has no step "gret"');
    expect(typo.text).toContain("Did you mean greet");
    expect((await line("run log 9")).text).toContain("No run 9");
  });

  it("in Slack a long log goes out as a file named after the run", async () => {
    await line("run noisy");
    await core.services.orchestration.idle();
    const r = await core.router.handle("run log 1 count", {
      user: chat.currentUser,
      channel: "C1",
      transport: "slack",
    });
    const rendered = renderReply(r.reply);
    expect(rendered.files.map((f) => f.filename)).toEqual(["run-1-count.log"]);
    expect(rendered.files[0]!.content.split("\n")).toHaveLength(3000);
    expect(rendered.files[0]!.content).toMatch(/^1\n2\n3\n/);
  });
});
