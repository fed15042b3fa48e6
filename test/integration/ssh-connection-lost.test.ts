import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ChatUser } from "../../src/lib/actor.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createSshRunner, type PooledSshRunner } from "../../src/lib/ssh/runner.js";
import { renderInterrupted } from "../../src/orchestration/presenters/summary.js";
import { loadRunView } from "../../src/orchestration/view.js";
import { alice, bob, createHarness } from "../support/orch-harness.js";
import { waitFor } from "../support/orch-wait.js";
import { type Sshd, startSshd } from "../support/sshd.js";

/**
 * A connection lost mid-command against a real sshd on loopback: the sshd process serving the session
 * is stopped (black hole: the kernel still ACKs, nothing answers) or killed (the connection closes).
 * Keepalive here is 1 s × 3, so the loss is noticed within seconds; the assertions are on state, awaited
 * with a generous ceiling, never on timing.
 */
const carol: ChatUser = { id: "U3", name: "carol", roles: [] };

let sshd: Sshd;
let runner: PooledSshRunner;
let h: ReturnType<typeof createHarness> | undefined;
/** sshd session processes this test stopped: continued (then left to exit) in cleanup. */
const stopped = new Set<number>();

beforeAll(async () => {
  sshd = await startSshd();
  runner = createSshRunner({ logger: silentLogger() });
}, 60_000);

afterEach(async () => {
  for (const pid of stopped) signal(pid, "SIGCONT");
  stopped.clear();
  await h?.engine.idle();
  h?.cleanup();
  h = undefined;
});

afterAll(async () => {
  await runner?.close();
  await sshd?.stop();
});

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Prints the pid of the sshd process serving the session: the command's nearest sshd ancestor. */
const SESSION_PID =
  'p=$PPID; while [ "$(cat /proc/$p/comm)" != sshd ]; do p=$(ps -o ppid= -p $p | tr -d " "); done; echo session=$p;';

/**
 * Step 3 prints the pid of the sshd process serving its session and then
 * runs for a minute — the first time only: a marker file makes a re-run finish at once.
 */
function runbook(opts: { idempotent?: boolean; marker: string }): string {
  return `name: deploy-web
targets: [web01]
approvers: [role:ops]
lock: targets
steps:
  - id: prepare
    ssh: { command: "echo prepared" }
  - id: check
    needs: [prepare]
    ssh: { command: "echo checked" }
  - id: restart
    needs: [check]
${opts.idempotent ? "    idempotent: true\n    retries: 1\n    backoff: 100ms\n" : ""}    ssh:
      command: >-
        if [ -e '${opts.marker}' ]; then echo again; else touch '${opts.marker}'; ${SESSION_PID} sleep 60; fi
  - id: announce
    needs: [restart]
    ssh: { command: "echo announced" }
`;
}

function harness(opts: { idempotent?: boolean } = {}) {
  const made = createHarness({
    devices: [{ name: "web01", host: sshd.host, tags: [] }],
    ssh: runner,
    sshTargetFor: (device) =>
      device === "web01"
        ? sshd.target({ name: "web01", keepalive: { intervalMs: 1000, countMax: 3 } })
        : undefined,
    runbooks: {},
  });
  made.writeRunbook("deploy.yaml", runbook({ ...opts, marker: join(made.work, "restarted-once") }));
  made.catalog.reload();
  return made;
}

/** Requests the run, has bob approve it, and returns once step 3's sshd session pid is known. */
async function startAndReachStep3(): Promise<{ runId: number; sessionPid: number }> {
  const req = h!.engine.request({ runbook: "deploy-web", params: {}, user: alice, channel: "C1" });
  const runId = req.run.id;
  h!.engine.decide({ approvalId: req.approvalId!, user: bob, decision: "approve" });
  const line = await waitFor(
    () =>
      h!.journal
        .output(runId, "restart")
        .map((o) => o.text)
        .join("")
        .match(/session=(\d+)/),
    30_000,
    "step 3 to print its sshd session pid",
  );
  return { runId, sessionPid: Number(line[1]) };
}

const stepStatus = (runId: number, key: string) => h!.journal.getStep(runId, key)?.status;

/** A one-step runbook (no approval) running `command` on web01, awaited to its end. */
async function runOneStep(command: string) {
  h = harness();
  h.writeRunbook(
    "one.yaml",
    `name: one\ntargets: [web01]\nrunners: [role:ops]\nsteps:\n  - id: only\n    ssh: { command: ${JSON.stringify(command)} }\n`,
  );
  h.catalog.reload();
  const runId = h.engine.request({ runbook: "one", params: {}, user: alice, channel: "C1" }).run.id;
  const ended = ["succeeded", "failed", "interrupted"];
  await waitFor(() => ended.includes(h!.journal.getRun(runId)!.status), 30_000, "the run to end");
  return { runId, step: h.journal.getStep(runId, "only") };
}

describe("ssh connection lost mid-command: outcome unknown", () => {
  it("a black-holed session (sshd stopped) interrupts step 3; Resume needs an approver; the step re-runs", async () => {
    h = harness();
    const { runId, sessionPid } = await startAndReachStep3();
    signal(sessionPid, "SIGSTOP");
    stopped.add(sessionPid);

    await waitFor(() => h!.journal.getRun(runId)?.status === "interrupted", 30_000, "the run to stop");
    const step = h.journal.getStep(runId, "restart")!;
    expect(step.status).toBe("interrupted");
    expect(step.error).toMatch(
      /^connection to web01 lost — outcome unknown \(no answer from web01 .* for [\d.]+ s \(keepalive 1 s × 3\)\)$/,
    );
    expect(step.exitCode).toBeNull();
    const run = h.journal.getRun(runId)!;
    expect(run.statusReason).toBe(
      "connection to web01 lost during step 3 (restart) — outcome unknown; Resume (needs approval) or Abort.",
    );
    // Nothing after it ran, nothing was rolled back, and the target stays locked.
    expect(stepStatus(runId, "announce")).toBe("pending");
    expect(h.journal.lockHolder("device:web01")).toBe(runId);
    // What the thread says, with the two ways on.
    const notice = renderInterrupted(loadRunView(h.journal, runId)!);
    expect(JSON.stringify(notice.blocks)).toContain(
      "connection to web01 lost during step 3 (restart) — outcome unknown; Resume (needs approval) or Abort.",
    );
    expect(JSON.stringify(notice.blocks)).toContain('"actionId":"run.resume"');
    expect(JSON.stringify(notice.blocks)).toContain('"actionId":"run.abort"');

    signal(sessionPid, "SIGCONT");
    stopped.delete(sessionPid);

    // Someone without a role may not resume it.
    expect(() => h!.engine.resume(runId, carol)).toThrow(
      /Only the requester, an approver of deploy-web or an admin/,
    );
    // The requester may ask; nothing runs until an approver (not the requester) approves.
    const asked = h.engine.resume(runId, alice);
    expect(asked.run.status).toBe("pending");
    expect(asked.approvalId).toBeDefined();
    expect(stepStatus(runId, "restart")).toBe("interrupted");
    expect(
      h.engine.decide({ approvalId: asked.approvalId!, user: alice, decision: "approve" }).outcome,
    ).not.toBe("approved");
    expect(stepStatus(runId, "restart")).toBe("interrupted");
    expect(h.engine.decide({ approvalId: asked.approvalId!, user: bob, decision: "approve" }).outcome).toBe(
      "approved",
    );
    await waitFor(
      () => h!.journal.getRun(runId)?.status === "succeeded",
      30_000,
      "the resumed run to finish",
    );
    expect(h.journal.getStep(runId, "restart")).toMatchObject({ status: "succeeded", attempt: 2 });
    expect(stepStatus(runId, "announce")).toBe("succeeded");
    expect(h.journal.lockHolder("device:web01")).toBeUndefined();
  }, 90_000);

  it("a reset connection (sshd session killed) interrupts the step too; Abort ends the run", async () => {
    h = harness();
    const { runId, sessionPid } = await startAndReachStep3();
    signal(sessionPid, "SIGKILL");

    await waitFor(() => h!.journal.getRun(runId)?.status === "interrupted", 30_000, "the run to stop");
    expect(h.journal.getStep(runId, "restart")).toMatchObject({ status: "interrupted", exitCode: null });
    expect(h.journal.getStep(runId, "restart")!.error).toMatch(/^connection to web01 lost — outcome unknown/);
    expect(h.journal.getRun(runId)!.statusReason).toContain("during step 3 (restart) — outcome unknown");
    h.engine.abort(runId, alice);
    expect(h.journal.getRun(runId)).toMatchObject({ status: "aborted" });
    expect(stepStatus(runId, "restart")).toBe("interrupted");
    expect(stepStatus(runId, "announce")).toBe("skipped");
    expect(existsSync(join(h.work, "restarted-once"))).toBe(true);
  }, 90_000);

  it("an idempotent step whose connection is lost is retried instead", async () => {
    h = harness({ idempotent: true });
    const { runId, sessionPid } = await startAndReachStep3();
    signal(sessionPid, "SIGKILL");

    await waitFor(() => h!.journal.getRun(runId)?.status === "succeeded", 30_000, "the run to finish");
    expect(h.journal.getStep(runId, "restart")).toMatchObject({ status: "succeeded", attempt: 2 });
    const events = h.journal.events(runId).map((e) => `${e.event}${e.stepKey ? ` ${e.stepKey}` : ""}`);
    expect(events).toContain("step.attempt_interrupted restart");
    expect(events).not.toContain("run.interrupted");
  }, 90_000);

  it("a healthy connection stays up through a command silent for longer than interval × count", async () => {
    const { runId, step } = await runOneStep("sleep 4.5; echo done");
    expect(h!.journal.getRun(runId)?.status).toBe("succeeded");
    expect(step).toMatchObject({ status: "succeeded", exitCode: 0 });
  }, 60_000);

  it("a remote command killed by a signal is a real outcome: the step fails", async () => {
    const { runId, step } = await runOneStep("echo before; kill -KILL $$");
    expect(h!.journal.getRun(runId)?.status).toBe("failed");
    expect(step).toMatchObject({ status: "failed", error: "killed by SIGKILL" });
  }, 60_000);
});
