import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { alice, bob, createHarness } from "../support/orch-harness.js";
import { waitFor } from "../support/orch-wait.js";

let h: ReturnType<typeof createHarness> | undefined;
afterEach(async () => {
  await h?.engine.idle();
  h?.cleanup();
  h = undefined;
});

const statusOf = (id: number) => h!.journal.getRun(id)?.status;
const steps = (id: number) => Object.fromEntries(h!.journal.getSteps(id).map((s) => [s.key, s.status]));
const finished = (id: number) =>
  waitFor(
    () => ["succeeded", "failed", "cancelled"].includes(statusOf(id) ?? ""),
    30_000,
    `run ${id} to finish`,
  );
const run = (runbook: string, params: Record<string, string> = {}, user = alice) =>
  h!.engine.request({ runbook, params, user, channel: "C1" }).run.id;

describe("engine: graph, failure, timeouts, retries", () => {
  it("runs independent branches in parallel and dependents after their needs", async () => {
    // a and b each wait for the other to have started: sequential execution could never finish.
    h = createHarness({
      runbooks: {
        "g.yaml": `name: graph
steps:
  - id: a
    timeout: 20s
    local: { command: 'touch "$WORK/a.started"; while [ ! -e "$WORK/b.started" ]; do sleep 0.05; done; echo a-done' }
  - id: b
    timeout: 20s
    local: { command: 'touch "$WORK/b.started"; while [ ! -e "$WORK/a.started" ]; do sleep 0.05; done; echo b-done' }
  - id: c
    needs: [a]
    local: { command: 'echo c >> "$WORK/order"' }
  - id: d
    needs: [b, c]
    local: { command: 'echo d >> "$WORK/order"' }
runners: [role:ops]
`,
      },
    });
    const id = run("graph");
    await finished(id);
    expect(statusOf(id)).toBe("succeeded");
    expect(readFileSync(join(h.work, "order"), "utf8")).toBe("c\nd\n");
    const events = h.journal.events(id).map((e) => `${e.event}${e.stepKey ? ` ${e.stepKey}` : ""}`);
    expect(events.slice(0, 3)).toEqual(["run.requested", "run.approved", "run.running"]);
    expect(events.indexOf("step.started c")).toBeGreaterThan(events.indexOf("step.finished a"));
    expect(events.indexOf("step.started d")).toBeGreaterThan(events.indexOf("step.finished c"));
    expect(events.indexOf("step.started d")).toBeGreaterThan(events.indexOf("step.finished b"));
    expect(events.at(-1)).toBe("run.succeeded");
    expect(
      h.journal
        .output(id, "a")
        .map((o) => o.text)
        .join(""),
    ).toBe("a-done\n");
    const c = h.journal.getStep(id, "c")!;
    expect(c).toMatchObject({
      status: "succeeded",
      exitCode: 0,
      attempt: 1,
      command: `echo c >> "$WORK/order"`,
    });
  });

  it("a failing step runs its rollback steps, skips its dependents and fails the run", async () => {
    h = createHarness({
      runbooks: {
        "f.yaml": `name: fail
steps:
  - id: prepare
    local: { command: 'echo prepared >> "$WORK/log"' }
  - id: deploy
    needs: [prepare]
    local: { command: 'echo deploying >> "$WORK/log"; exit 3' }
    on_failure:
      - id: restore
        local: { command: 'echo restored >> "$WORK/log"' }
      - local: { command: 'echo re-enabled >> "$WORK/log"' }
  - id: announce
    needs: [deploy]
    local: { command: 'echo announced >> "$WORK/log"' }
runners: [role:ops]
`,
      },
    });
    const id = run("fail");
    await finished(id);
    expect(h.journal.getRun(id)).toMatchObject({ status: "failed", statusReason: "step deploy failed" });
    expect(readFileSync(join(h.work, "log"), "utf8")).toBe("prepared\ndeploying\nrestored\nre-enabled\n");
    expect(steps(id)).toEqual({
      prepare: "succeeded",
      deploy: "failed",
      restore: "succeeded",
      "deploy-rollback-2": "succeeded",
      announce: "skipped",
    });
    expect(h.journal.getStep(id, "deploy")).toMatchObject({ exitCode: 3, error: "exit code 3" });
    expect(h.journal.getStep(id, "restore")?.rollbackOf).toBe("deploy");
  });

  it("a step over its timeout is stopped with its whole process group and fails", async () => {
    h = createHarness({
      runbooks: {
        "t.yaml": `name: slow
steps:
  - id: hang
    timeout: 500ms
    local: { command: 'sleep 60 & echo $! > "$WORK/child.pid"; wait' }
  - id: after
    needs: [hang]
    local: { command: "true" }
runners: [role:ops]
`,
      },
    });
    const id = run("slow");
    await finished(id);
    expect(h.journal.getStep(id, "hang")).toMatchObject({ status: "failed", error: "timed out after 500ms" });
    expect(steps(id).after).toBe("skipped");
    const pid = Number(readFileSync(join(h.work, "child.pid"), "utf8"));
    await waitFor(
      () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      },
      10_000,
      "the background sleep to be killed",
    );
  });

  it("retries only idempotent steps, with backoff, and journals each attempt", async () => {
    const sleeps: number[] = [];
    h = createHarness({
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      runbooks: {
        "r.yaml": `name: retry
steps:
  - id: flaky
    idempotent: true
    retries: 3
    backoff: 2s
    local: { command: 'n=$(cat "$WORK/n" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$WORK/n"; [ $n -ge 3 ]' }
  - id: once
    needs: [flaky]
    local: { command: 'echo x >> "$WORK/once"; exit 1' }
runners: [role:ops]
`,
      },
    });
    const id = run("retry");
    await finished(id);
    expect(h.journal.getStep(id, "flaky")).toMatchObject({ status: "succeeded", attempt: 3 });
    expect(sleeps).toEqual([2000, 4000]);
    expect(
      h.journal
        .events(id)
        .filter((e) => e.event === "step.attempt_failed")
        .map((e) => e.attempt),
    ).toEqual([1, 2]);
    // Not idempotent: one attempt, whatever happens.
    expect(h.journal.getStep(id, "once")).toMatchObject({ status: "failed", attempt: 1 });
    expect(readFileSync(join(h.work, "once"), "utf8")).toBe("x\n");
  });
});

describe("engine: locks, versions, approvals, cancel", () => {
  const gated = (name: string, lock: string, echo = "v1") => `name: ${name}
lock: ${lock}
steps:
  - id: hold
    timeout: 30s
    local: { command: 'touch "$WORK/${name}.holding"; while [ ! -e "$WORK/release" ]; do sleep 0.05; done' }
  - id: say
    needs: [hold]
    local: { command: 'echo ${echo}' }
runners: [role:ops]
`;

  it("two runs with the same lock never overlap: the second waits, then starts", async () => {
    h = createHarness({
      runbooks: { "a.yaml": gated("first", "site-a"), "b.yaml": gated("second", "site-a") },
    });
    // The order things were journaled across both runs (progress events follow their commits).
    const order: string[] = [];
    h.engine.subscribe((e) => {
      if (e.type === "run" || e.type === "step") order.push(`${e.runId} ${e.type} ${e.status}`);
    });
    const one = run("first");
    await waitFor(() => existsSync(join(h!.work, "first.holding")));
    const two = run("second");
    expect(h.journal.getRun(two)).toMatchObject({
      status: "approved",
      statusReason: "waiting for lock site-a held by run 1",
    });
    expect(steps(two)).toEqual({ hold: "pending", say: "pending" });
    writeFileSync(join(h.work, "release"), "");
    await finished(one);
    await finished(two);
    expect(statusOf(two)).toBe("succeeded");
    const firstEnd = order.indexOf(`${one} run succeeded`);
    const secondStart = order.indexOf(`${two} step running`);
    expect(firstEnd).toBeGreaterThanOrEqual(0);
    expect(secondStart).toBeGreaterThan(firstEnd);
    const firstEndAt = h.journal.events(one).find((e) => e.event === "run.succeeded")!.at;
    const secondStartAt = h.journal.events(two).find((e) => e.event === "step.started")!.at;
    expect(secondStartAt).toBeGreaterThanOrEqual(firstEndAt);
  });

  it("a changed runbook is picked up for new runs while a running run stays on its version", async () => {
    h = createHarness({ runbooks: { "v.yaml": gated("versioned", "v", "v1") } });
    const old = run("versioned");
    await waitFor(() => existsSync(join(h!.work, "versioned.holding")));
    h.writeRunbook("v.yaml", gated("versioned", "other-lock", "v2"));
    h.catalog.reload();
    writeFileSync(join(h.work, "release"), "");
    const fresh = run("versioned");
    await finished(old);
    await finished(fresh);
    const out = (id: number) =>
      h!.journal
        .output(id, "say")
        .map((o) => o.text)
        .join("");
    expect(out(old)).toBe("v1\n");
    expect(out(fresh)).toBe("v2\n");
    const [o, f] = [h.journal.getRun(old)!, h.journal.getRun(fresh)!];
    expect(o.runbookHash).not.toBe(f.runbookHash);
    expect(h.journal.getVersion(o.runbookHash)?.content).toContain("echo v1");
  });

  it("a run whose runbook has approvers waits in pending until approved by someone else", async () => {
    h = createHarness({
      runbooks: {
        "p.yaml": `name: guarded
approvers: [role:ops]
steps:
  - id: go
    local: { command: "echo went" }
`,
      },
    });
    const r = h.engine.request({ runbook: "guarded", params: {}, user: alice, channel: "C1" });
    expect(r.run.status).toBe("pending");
    expect(h.engine.decide({ approvalId: r.approvalId!, user: alice, decision: "approve" })).toMatchObject({
      outcome: "not_allowed",
    });
    expect(statusOf(r.run.id)).toBe("pending");
    expect(h.engine.decide({ approvalId: r.approvalId!, user: bob, decision: "approve" }).outcome).toBe(
      "approved",
    );
    await finished(r.run.id);
    expect(statusOf(r.run.id)).toBe("succeeded");
  });

  it("a mid-run approval step waits for a decision; rejection fails the run", async () => {
    h = createHarness({
      runbooks: {
        "m.yaml": `name: midway
steps:
  - id: first
    local: { command: "true" }
  - id: confirm
    needs: [first]
    approval: { approvers: [role:ops], message: "Proceed?" }
  - id: last
    needs: [confirm]
    local: { command: "true" }
runners: [role:ops]
`,
      },
    });
    const events: string[] = [];
    h.engine.subscribe((e) => {
      if (e.type === "approval") events.push(`${e.stepKey}:${e.status}`);
    });
    const id = run("midway");
    await waitFor(() => steps(id).confirm === "waiting");
    const approval = h.store.db
      .prepare("SELECT id FROM approvals WHERE run_id = ? AND step_key = 'confirm'")
      .get(id) as {
      id: number;
    };
    expect(h.engine.decide({ approvalId: approval.id, user: bob, decision: "reject" }).outcome).toBe(
      "rejected",
    );
    await finished(id);
    expect(h.journal.getRun(id)).toMatchObject({ status: "failed", statusReason: "step confirm failed" });
    expect(h.journal.getStep(id, "confirm")?.error).toBe("rejected by bob");
    expect(steps(id).last).toBe("skipped");
    expect(events).toEqual(["confirm:pending", "confirm:rejected"]);
  });

  it("cancel stops the running step, runs its rollback and ends cancelled", async () => {
    h = createHarness({
      runbooks: {
        "c.yaml": `name: cancellable
steps:
  - id: long
    local: { command: 'echo $$ > "$WORK/pid"; sleep 60' }
    on_failure:
      - id: undo
        local: { command: 'echo undone > "$WORK/undo"' }
  - id: after
    needs: [long]
    local: { command: "true" }
runners: [role:ops]
`,
      },
    });
    const id = run("cancellable");
    await waitFor(() => existsSync(join(h!.work, "pid")));
    expect(() => h!.engine.cancel(id, { id: "U7", name: "eve", roles: [] })).toThrow(/Only the requester/);
    h.engine.cancel(id, alice);
    await finished(id);
    expect(h.journal.getRun(id)).toMatchObject({ status: "cancelled", cancelRequestedBy: "alice" });
    expect(steps(id)).toEqual({ long: "cancelled", undo: "succeeded", after: "skipped" });
    expect(readFileSync(join(h.work, "undo"), "utf8")).toBe("undone\n");
  });
});

describe("engine: output", () => {
  it("keeps each step's output under the cap by dropping the oldest lines: the tail survives", async () => {
    h = createHarness({
      outputCapBytes: 4096,
      runbooks: {
        "o.yaml":
          "name: chatty\nrunners: [role:ops]\nsteps:\n  - id: talk\n    local: { command: \"seq -f 'line %g' 1 5000\" }\n",
      },
    });
    const id = run("chatty");
    await finished(id);
    const text = h.journal
      .output(id, "talk")
      .map((o) => o.text)
      .join("");
    const step = h.journal.getStep(id, "talk")!;
    expect(step.outputTruncated).toBe(true);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4096);
    expect(step.outputBytes).toBe(Buffer.byteLength(text));
    expect(text.endsWith("line 4999\nline 5000\n")).toBe(true);
    expect(text).not.toContain("line 1\n");
  });

  it("cuts a single chunk bigger than the cap to its tail instead of dropping it", async () => {
    h = createHarness({
      outputCapBytes: 1024,
      runbooks: {
        "o.yaml":
          "name: oneline\nrunners: [role:ops]\nsteps:\n  - id: talk\n    local: { command: \"printf 'é%.0s' $(seq 1 3000); echo END\" }\n",
      },
    });
    const id = run("oneline");
    await finished(id);
    const text = h.journal
      .output(id, "talk")
      .map((o) => o.text)
      .join("");
    expect(text.endsWith("ééEND\n")).toBe(true);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024);
    expect(Buffer.byteLength(text)).toBeGreaterThan(1000);
    expect(text).not.toContain("\uFFFD");
  });
});

describe("engine: redaction", () => {
  it("configured secrets and secret params never reach the store, in plain, base64 or URL-encoded form", async () => {
    const token = "tok/en+S3cret=value";
    const configured = "hunter2-config-secret";
    h = createHarness({
      secrets: [configured],
      env: { CONF_SECRET: configured },
      runbooks: {
        "s.yaml": `name: secretive
params:
  token: { type: string, secret: true }
steps:
  - id: leak
    local:
      command: >-
        printf '%s\\n' {{ params.token }};
        printf '%s' {{ params.token }} | base64;
        printf 'x%sy\\n' {{ params.token }} | base64;
        node -e 'console.log(encodeURIComponent(process.argv[1]))' {{ params.token }};
        echo "$CONF_SECRET"; echo "$CONF_SECRET" | base64 >&2; exit 1
runners: [role:ops]
`,
      },
    });
    const outputs: string[] = [];
    h.engine.subscribe((e) => {
      if (e.type === "output") outputs.push(e.text);
    });
    const id = run("secretive", { token });
    await finished(id);
    const stored = h.journal
      .output(id)
      .map((o) => o.text)
      .join("");
    expect(stored.split("[redacted]").length - 1).toBeGreaterThanOrEqual(6);
    const forms = [
      token,
      Buffer.from(token).toString("base64"),
      encodeURIComponent(token),
      configured,
      Buffer.from(`${configured}\n`).toString("base64").slice(0, 20),
    ];
    for (const f of forms) {
      expect(stored).not.toContain(f);
      expect(outputs.join("")).not.toContain(f);
    }
    expect(h.journal.getRun(id)?.params).toEqual({ token: "••••••" });
    expect(h.journal.getStep(id, "leak")?.command).toContain("printf '%s\\n' '••••••'");
    // The whole database (and its WAL) holds no trace of either secret.
    h.store.db.pragma("wal_checkpoint(TRUNCATE)");
    const bytes = readFileSync(h.dbPath).toString("latin1");
    expect(bytes).not.toContain(token);
    expect(bytes).not.toContain(configured);
  });
});
