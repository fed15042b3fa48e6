import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createStoreHealth, type StoreHealthState } from "../../src/store/faults.js";
import { alice, createHarness } from "../support/orch-harness.js";
import { waitFor } from "../support/orch-wait.js";

/**
 * Store faults during a run, on a real SQLite file: the database fills up (SQLite's own SQLITE_FULL,
 * produced by capping the file with max_page_count) and another process holds the write lock past
 * busy_timeout (SQLITE_BUSY). The run pauses, nothing crashes, the health says why once, and the run
 * finishes with its whole output once the fault clears.
 */
let h: ReturnType<typeof createHarness> | undefined;
afterEach(async () => {
  h?.store.db.pragma("max_page_count = 1073741823");
  await h?.engine.idle();
  h?.cleanup();
  h = undefined;
});

const TWO = `name: two
runners: [role:ops]
steps:
  - { id: one, local: { command: 'echo one >> "$WORK/ran"' } }
  - { id: two, needs: [one], local: { command: 'echo two >> "$WORK/ran"' } }
`;

const CHATTY = `name: chatty
runners: [role:ops]
steps:
  - id: talk
    timeout: 60s
    local: { command: 'i=0; while [ $i -lt 300 ]; do i=$((i+1)); echo "line-$i $(printf %0200d 0)"; [ -e "$WORK/go" ] || sleep 0.01; done' }
  - id: after
    needs: [talk]
    local: { command: 'echo after' }
`;

function lines(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split(" ")[0]!);
}

describe("run under store faults", () => {
  it("disk full mid-run: output held, run paused, health reported once; all of it lands when space returns", async () => {
    const health = createStoreHealth();
    const seen: StoreHealthState[] = [];
    health.onChange((s) => seen.push(s));
    h = createHarness({ runbooks: { "c.yaml": CHATTY }, health });
    const id = h.engine.request({ runbook: "chatty", params: {}, user: alice, channel: "C1" }).run.id;
    await waitFor(() => h!.journal.output(id, "talk").length > 0, 20_000, "first output");
    // Cap the file at its current size: the next page SQLite needs is refused with SQLITE_FULL.
    const pages = h.store.db.pragma("page_count", { simple: true }) as number;
    h.store.db.pragma(`max_page_count = ${pages}`);
    await waitFor(() => !health.state().ok, 20_000, "the fault to be noticed");
    expect(health.state().reason).toMatch(/SQLITE_FULL/);
    // The step's outcome cannot be journaled: the run stays running, the process stays up.
    await waitFor(() => h!.engine.journal.getRun(id)?.status === "running", 5_000, "run still running");
    h.store.db.pragma("max_page_count = 1073741823");
    await waitFor(() => h!.journal.getRun(id)?.status === "succeeded", 30_000, "run to finish");
    const out = lines(
      h.journal
        .output(id, "talk")
        .map((o) => o.text)
        .join(""),
    );
    expect(out).toEqual(Array.from({ length: 300 }, (_, i) => `line-${i + 1}`));
    expect(h.journal.getStep(id, "after")?.status).toBe("succeeded");
    expect(seen.map((s) => s.ok)).toEqual([false, true]);
    expect(h.store.db.pragma("integrity_check", { simple: true })).toBe("ok");
  });

  it("another process holds the write lock past busy_timeout: the run waits and its output is complete", async () => {
    const health = createStoreHealth();
    h = createHarness({ runbooks: { "c.yaml": CHATTY }, health, busyTimeoutMs: 200 });
    const id = h.engine.request({ runbook: "chatty", params: {}, user: alice, channel: "C1" }).run.id;
    await waitFor(() => h!.journal.output(id, "talk").length > 0, 20_000, "first output");
    const holder = spawn(
      process.execPath,
      [
        "-e",
        `const Db = require("better-sqlite3"); const db = new Db(process.argv[1]);
         db.exec("BEGIN IMMEDIATE"); console.log("locked");
         setTimeout(() => { db.exec("COMMIT"); db.close(); }, 2500);`,
        h.dbPath,
      ],
      { stdio: ["ignore", "pipe", "inherit"], cwd: process.cwd() },
    );
    const exited = new Promise((r) => holder.on("exit", r));
    await new Promise<void>((r) => holder.stdout.once("data", () => r()));
    await waitFor(() => !health.state().ok, 20_000, "the lock to be noticed");
    expect(health.state().reason).toMatch(/SQLITE_BUSY/);
    await exited;
    await waitFor(() => h!.journal.getRun(id)?.status === "succeeded", 30_000, "run to finish");
    const out = lines(
      h.journal
        .output(id, "talk")
        .map((o) => o.text)
        .join(""),
    );
    expect(out).toEqual(Array.from({ length: 300 }, (_, i) => `line-${i + 1}`));
    expect(health.state().ok).toBe(true);
  });

  it("the step intent log cannot be opened (a directory in its place): the step does not start, the run pauses and says why, then goes on", async () => {
    const health = createStoreHealth();
    const seen: StoreHealthState[] = [];
    health.onChange((s) => seen.push(s));
    h = createHarness({ runbooks: { "t.yaml": TWO }, health });
    const log = `${h.dbPath}.intents`;
    mkdirSync(log);
    const id = h.engine.request({ runbook: "two", params: {}, user: alice, channel: "C1" }).run.id;
    await waitFor(() => !health.state().ok, 20_000, "the fault to be noticed");
    expect(health.state().reason).toContain(
      `step intent log: STORE_UNAVAILABLE: Cannot open the step intent log ${log}: EISDIR`,
    );
    await waitFor(() => h!.journal.getRun(id)?.statusReason !== null, 5_000, "the run's status line");
    const run = h.journal.getRun(id)!;
    expect(run.status).toBe("running");
    expect(run.statusReason).toMatch(/^paused: Cannot open the step intent log .*EISDIR.*; retrying$/);
    // The action never began, and the journal says the start was abandoned (the step is pending again).
    expect(existsSync(join(h.work, "ran"))).toBe(false);
    const abandoned = h.journal.events(id).filter((e) => e.event === "step.start_abandoned");
    expect(abandoned[0]).toMatchObject({ stepKey: "one", attempt: 1 });
    rmSync(log, { recursive: true });
    await waitFor(() => h!.journal.getRun(id)?.status === "succeeded", 30_000, "run to finish");
    expect(readFileSync(join(h.work, "ran"), "utf8")).toBe("one\ntwo\n");
    expect(h.journal.getRun(id)?.statusReason).toBeNull();
    expect(seen.map((s) => s.ok)).toEqual([false, true]);
  });

  it("the step intent log is removed while open: the next step does not start until a new log takes its intent", async () => {
    // The harness's store is $WORK/../opsbot.db: step one removes the log the engine has open.
    const removing = TWO.replace("echo one >>", 'rm "$WORK/../opsbot.db.intents"; echo one >>');
    h = createHarness({ runbooks: { "t.yaml": removing } });
    expect(h.dbPath).toBe(join(h.work, "..", "opsbot.db"));
    const id = h.engine.request({ runbook: "two", params: {}, user: alice, channel: "C1" }).run.id;
    await waitFor(() => h!.journal.getRun(id)?.status === "succeeded", 30_000, "run to finish");
    expect(readFileSync(join(h.work, "ran"), "utf8")).toBe("one\ntwo\n");
    const two = h.journal
      .events(id)
      .filter((e) => e.stepKey === "two")
      .map((e) => `${e.event} ${e.attempt}`);
    expect(two).toEqual(["step.started 1", "step.start_abandoned 1", "step.started 2", "step.finished 2"]);
    expect(h.store.intents.read().intents.map((i) => `${i.key} ${i.attempt}`)).toEqual(["two 2"]);
  });
});
