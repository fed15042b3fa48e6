import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { testCore } from "../support/core.js";

/**
 * Store faults on the command path, on a real SQLite file: every command writes an audit row. The disk
 * "fills" through SQLite's own SQLITE_FULL (the file capped with max_page_count on the core's own
 * connection: no tmpfs mount needed), and a second *process* holds BEGIN IMMEDIATE. The bot keeps
 * answering, /readyz fails naming the fault, the admin channel hears it once, and once the fault
 * clears the held audit rows are written and /readyz recovers by itself — nothing lost.
 */
let core: ReturnType<typeof testCore> | undefined;
afterEach(async () => {
  core?.store.db.pragma("max_page_count = 1073741823");
  await core?.shutdown();
  core?.cleanup();
  core = undefined;
});

const YAML = "ops: { port: 0 }\nroles: { admin: [alice] }\nchannels: { admin: '#ops-admin' }\n";

async function readyz(port: number) {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: res.status, body: await res.text() };
}

async function until(what: string, ok: () => Promise<boolean> | boolean, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const auditRows = () =>
  (core!.store.db.prepare("SELECT COUNT(*) AS n FROM audit WHERE text LIKE 'whoami%'").get() as { n: number })
    .n;

describe("audit under store faults", () => {
  it("disk full: commands still answered, /readyz names SQLITE_FULL, all rows land after space returns", async () => {
    core = testCore(YAML);
    const port = (await core.ops.start())!;
    expect((await readyz(port)).status).toBe(200);
    const pages = core.store.db.pragma("page_count", { simple: true }) as number;
    core.store.db.pragma(`max_page_count = ${pages}`);
    let asked = 0;
    // The file's free pages take a few rows; then SQLite refuses the next page.
    while (core.storeHealth.state().ok && asked < 5000) {
      const r = await core.ask(`whoami ${"x".repeat(500)} ${asked}`);
      expect(r.reply.blocks.length).toBeGreaterThan(0);
      asked += 1;
    }
    expect(core.storeHealth.state().reason).toMatch(/^audit: SQLITE_FULL/);
    for (let i = 0; i < 20; i += 1, asked += 1) await core.ask(`whoami ${"x".repeat(500)} ${asked}`);
    const ready = await readyz(port);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatch(/FAIL store: not writable: audit: SQLITE_FULL/);
    const notices = core.chat.posts.filter((m) => m.channel === "#ops-admin").map((m) => m.text);
    expect(notices).toEqual([expect.stringMatching(/Store unavailable: audit: SQLITE_FULL/)]);

    core.store.db.pragma("max_page_count = 1073741823");
    await until("/readyz to recover", async () => (await readyz(port)).status === 200);
    expect(auditRows()).toBe(asked);
    expect(core.store.db.pragma("integrity_check", { simple: true })).toBe("ok");
  }, 60_000);

  it("another process holds the write lock: answered meanwhile, rows written once it lets go", async () => {
    core = testCore(YAML);
    const port = (await core.ops.start())!;
    core.store.db.pragma("busy_timeout = 100");
    const holder = spawn(
      process.execPath,
      [
        "-e",
        `const Db = require("better-sqlite3"); const db = new Db(process.argv[1]);
         db.exec("BEGIN IMMEDIATE"); console.log("locked");
         process.stdin.once("data", () => { db.exec("COMMIT"); db.close(); process.exit(0); });`,
        core.store.path,
      ],
      { stdio: ["pipe", "pipe", "inherit"], cwd: process.cwd() },
    );
    const exited = new Promise((r) => holder.on("exit", r));
    await new Promise<void>((r) => holder.stdout.once("data", () => r()));
    for (let i = 0; i < 5; i += 1) {
      const r = await core.ask(`whoami ${i}`);
      expect(r.reply.blocks.length).toBeGreaterThan(0);
    }
    expect(core.storeHealth.state().reason).toMatch(/^audit: SQLITE_BUSY/);
    expect((await readyz(port)).body).toMatch(/FAIL store: not writable: audit: SQLITE_BUSY/);
    holder.stdin.write("go\n");
    await exited;
    await until("/readyz to recover", async () => (await readyz(port)).status === 200);
    expect(auditRows()).toBe(5);
  }, 60_000);
});
