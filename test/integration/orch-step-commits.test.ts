import { afterEach, describe, expect, it } from "vitest";
import { alice, createHarness } from "../support/orch-harness.js";

/**
 * How run steps reach the journal, on a real SQLite file: every "step started" is committed with
 * synchronous=FULL before the action (at most once across a power cut), whether it is committed on its
 * own (the first step, a fan-out's group commit, a retry) or together with the previous step's
 * outcome (a chain). A SQL trigger on the real table reports the commit level each start was written at.
 */
let h: ReturnType<typeof createHarness> | undefined;
afterEach(async () => {
  await h?.engine.idle();
  h?.cleanup();
  h = undefined;
});

const GRAPH = `name: graph
runners: [role:ops]
steps:
  - { id: first, wait: 0s }
  - { id: second, needs: [first], wait: 0s }
  - { id: a, needs: [second], wait: 0s }
  - { id: b, needs: [second], wait: 0s }
  - { id: c, needs: [second], wait: 0s }
  - { id: join, needs: [a, b, c], wait: 0s }
  - { id: last, needs: [join], wait: 0s }
  - id: flaky
    needs: [last]
    idempotent: true
    retries: 2
    backoff: 1s
    local: { command: 'n=$(cat "$WORK/tries" 2>/dev/null || echo 0); echo $((n+1)) > "$WORK/tries"; [ $n -ge 1 ]' }
`;

/** Records, per step start written to run_steps, whether a durable or a normal commit was open. */
function watchStartCommits(store: NonNullable<typeof h>["store"]): string[] {
  let level: "durable" | "normal" | "none" = "none";
  const wrap =
    (as: "durable" | "normal", real: <T>(fn: () => T) => T) =>
    <T>(fn: () => T): T => {
      if (level !== "none") return real(fn);
      level = as;
      try {
        return real(fn);
      } finally {
        level = "none";
      }
    };
  store.durable = wrap("durable", store.durable);
  store.tx = wrap("normal", store.tx);
  const seen: string[] = [];
  store.db.function("opsbot_test_started", (key: unknown) => {
    seen.push(`${String(key)}:${level}`);
    return null;
  });
  store.db.exec(`CREATE TEMP TRIGGER opsbot_test_started AFTER UPDATE OF status ON run_steps
    WHEN NEW.status = 'running' BEGIN SELECT opsbot_test_started(NEW.key); END`);
  return seen;
}

describe("step commits", () => {
  it("every step start — chained, fanned out, joined, retried — is committed durably before its action", async () => {
    h = createHarness({ runbooks: { "g.yaml": GRAPH }, sleep: async () => {} });
    const seen = watchStartCommits(h.store);
    const id = h.engine.request({ runbook: "graph", params: {}, user: alice, channel: "C1" }).run.id;
    await h.engine.idle();
    expect(h.journal.getRun(id)?.status).toBe("succeeded");
    expect(h.journal.getStep(id, "flaky")?.attempt).toBe(2);
    const keys = ["first", "second", "a", "b", "c", "join", "last", "flaky", "flaky"];
    expect([...seen].sort()).toEqual(keys.map((k) => `${k}:durable`).sort());
    // Each step started after everything it needs had finished, and each ran once per attempt.
    const events = h.journal
      .events(id)
      .filter((e) => e.event === "step.started" || e.event === "step.finished");
    const at = (event: string, key: string) =>
      events.findIndex((e) => e.event === event && e.stepKey === key);
    for (const [key, needs] of [
      ["second", ["first"]],
      ["a", ["second"]],
      ["join", ["a", "b", "c"]],
      ["last", ["join"]],
      ["flaky", ["last"]],
    ] as const) {
      for (const need of needs) expect(at("step.started", key)).toBeGreaterThan(at("step.finished", need));
    }
    expect(events.filter((e) => e.event === "step.started").length).toBe(keys.length);
  });

  it("a commit of several starts that the store refuses changes nothing: each step still starts once, as attempt 1", async () => {
    h = createHarness({ runbooks: { "g.yaml": GRAPH }, sleep: async () => {} });
    // `second`'s outcome and the starts of a, b and c share one commit. The fault must hit inside it,
    // after a's and b's starts were written: a disk filling up cannot be timed that exactly, so a
    // trigger on the real table raises the error SQLite gives then (SQLITE_FULL), once, at c's start.
    let refused = 0;
    h.store.db.function("opsbot_test_refuse", () => {
      if (refused++ > 0) return null;
      throw Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
    });
    h.store.db.exec(`CREATE TEMP TRIGGER opsbot_test_refuse BEFORE UPDATE OF status ON run_steps
      WHEN NEW.status = 'running' AND NEW.key = 'c' BEGIN SELECT opsbot_test_refuse(); END`);
    const id = h.engine.request({ runbook: "graph", params: {}, user: alice, channel: "C1" }).run.id;
    await h.engine.idle();
    expect(refused).toBeGreaterThan(1);
    expect(h.journal.getRun(id)?.status).toBe("succeeded");
    const starts = h.journal.events(id).filter((e) => e.event === "step.started");
    expect(starts.map((e) => `${e.stepKey} ${e.attempt}`)).toEqual([
      "first 1",
      "second 1",
      "a 1",
      "b 1",
      "c 1",
      "join 1",
      "last 1",
      "flaky 1",
      "flaky 2",
    ]);
    for (const key of ["a", "b", "c"]) expect(h.journal.getStep(id, key)?.attempt).toBe(1);
    expect(
      h.journal.events(id).filter((e) => e.event === "step.finished" && e.stepKey === "second"),
    ).toHaveLength(1);
  });

  it("a failed run skips every step it never reached, in plan order, each with its own journal entry", async () => {
    // Twelve steps: key order (s1, s10, s11, s2, …) is not plan order, so the order is the journal's doing.
    const rest = Array.from({ length: 11 }, (_, i) => `  - { id: s${i + 1}, needs: [s${i}], wait: 0s }`);
    const yaml = `name: stops\nrunners: [role:ops]\nsteps:\n  - { id: s0, local: { command: 'exit 3' } }\n${rest.join("\n")}\n`;
    h = createHarness({ runbooks: { "s.yaml": yaml }, sleep: async () => {} });
    const id = h.engine.request({ runbook: "stops", params: {}, user: alice, channel: "C1" }).run.id;
    await h.engine.idle();
    expect(h.journal.getRun(id)?.status).toBe("failed");
    const skipped = h.journal.events(id).filter((e) => e.event === "step.skipped");
    expect(skipped.map((e) => e.stepKey)).toEqual(Array.from({ length: 11 }, (_, i) => `s${i + 1}`));
    for (const step of h.journal.getSteps(id).slice(1)) {
      expect(step.status).toBe("skipped");
      expect(step.finishedAt).not.toBeNull();
    }
  });
});
