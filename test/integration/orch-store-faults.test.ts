import { spawn } from "node:child_process";
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
});
