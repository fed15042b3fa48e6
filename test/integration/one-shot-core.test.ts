import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { commands as allCommands } from "../../commands/index.js";
import { type Command, defineCommand, type Services } from "../../commands/services.js";
import { reply, text } from "../../src/chat/reply.js";
import { parseConfig } from "../../src/config/load.js";
import { createOneShotCore, type OneShotCore } from "../../src/core/one-shot.js";
import { silentLogger } from "../../src/lib/logger.js";
import { RecordingChat } from "../support/recording-chat.js";
import { runbooksDir } from "../support/runbooks-dir.js";

/**
 * The one-shot core of `opsbot ask` (src/core/one-shot.ts) builds the subsystems only before a
 * handler that uses one of their services: a command's `uses` decides, and what it does not declare
 * it cannot reach. Once built, their lifecycle parts stop as in `createCore`: a run the command
 * started finishes within the shutdown grace. Real SQLite, real /bin/sh steps; the chat is the fake.
 */
const SLOW = `name: slow
runners: [role:admin]
steps:
  - id: nap
    local: { command: "sleep 0.3; echo rested" }
`;

const light = defineCommand({
  name: "light",
  summary: "reads the cache only",
  examples: ["light"],
  sideEffects: false,
  uses: [],
  handler: (_args, ctx) => reply(text(`${ctx.services.fleet.hasDevices() ? "some" : "no"} devices`)),
});
// Declares nothing but reaches for the orchestration anyway (what the `uses` typing forbids).
const sneaky = defineCommand({
  name: "sneaky",
  summary: "uses what it did not declare",
  examples: ["sneaky"],
  sideEffects: false,
  uses: [],
  handler: (_args, ctx) =>
    reply(text(String((ctx.services as unknown as Services).orchestration.runbooks().length))),
});

let dir: ReturnType<typeof runbooksDir>;
let core: OneShotCore | undefined;
afterEach(async () => {
  await core?.stop();
  core = undefined;
  dir.cleanup();
});

function oneShot(commands: readonly Command[]) {
  dir = runbooksDir({ slow: SLOW }, { allowLocal: true });
  const config = parseConfig(`roles: { admin: [alice] }\n${dir.orchestrationYaml}\n`, "test.yaml", {});
  const db = join(dir.path, "opsbot.db");
  core = createOneShotCore({
    config,
    dbPath: db,
    logger: silentLogger(),
    chat: new RecordingChat(),
    commands,
    reporter: { minUpdateMs: 50, outputFlushMs: 50 },
    run: { syncDevices: false, schedules: false },
  });
  const ask = (line: string) =>
    core!.router.handle(line, {
      user: { id: "alice", name: "alice", roles: ["admin"] },
      channel: "#ops",
      transport: "cli",
    });
  return { core, ask, db };
}

describe("one-shot core", () => {
  it("answers a command that uses only the base without building the subsystems", async () => {
    const { core, ask } = oneShot([light]);
    await core.start();
    const r = await ask("light");
    expect(r.outcome).toBe("ok");
    expect(JSON.stringify(r.reply)).toContain("no devices");
    expect(core.subsystemsBuilt()).toBe(false);
  });

  it("refuses a handler's reach for a service it did not declare: an error reply, nothing built", async () => {
    const { core, ask } = oneShot([sneaky]);
    await core.start();
    const r = await ask("sneaky");
    expect(r.outcome).toBe("error");
    expect(core.subsystemsBuilt()).toBe(false);
  });

  it("builds them for a command without `uses` (and `help run`), and a run it started finishes before stop() returns", async () => {
    const { core, ask, db } = oneShot(allCommands);
    await core.start();
    expect((await ask("help")).outcome).toBe("ok");
    expect(core.subsystemsBuilt()).toBe(false);
    const help = await ask("help run");
    expect(JSON.stringify(help.reply)).toContain("slow");
    expect(core.subsystemsBuilt()).toBe(true);

    const started = await ask("run slow");
    expect(started.outcome).toBe("ok");
    await core.stop();
    const check = new Database(db, { readonly: true });
    try {
      expect(check.prepare("SELECT status FROM runs WHERE id = 1").get()).toEqual({ status: "succeeded" });
      const audited = check.prepare("SELECT command, outcome FROM audit ORDER BY id").all();
      expect(audited).toEqual([
        { command: "help", outcome: "ok" },
        { command: "help", outcome: "ok" },
        { command: "run", outcome: "ok" },
      ]);
    } finally {
      check.close();
    }
  });
});
