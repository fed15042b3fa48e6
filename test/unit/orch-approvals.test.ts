import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChatUser } from "../../src/lib/actor.js";
import { ManualClock } from "../../src/lib/clock.js";
import { createJournal, type Journal } from "../../src/orchestration/journal.js";
import type { Store } from "../../src/store/store.js";
import { tempStore } from "../support/orch-store.js";

const alice: ChatUser = { id: "U1", name: "alice", roles: ["ops"] };
const bob: ChatUser = { id: "U2", name: "bob", roles: ["ops"] };
const carol: ChatUser = { id: "U3", name: "carol", roles: ["ops", "leads"] };
const mallory: ChatUser = { id: "U9", name: "mallory", roles: ["dev"] };

describe("approvals (compare-and-set in the store)", () => {
  let t: ReturnType<typeof tempStore>;
  let store: Store;
  let journal: Journal;
  const clock = new ManualClock();
  let runId: number;

  beforeEach(() => {
    t = tempStore();
    store = t.store;
    journal = createJournal({ store, clock });
    journal.saveVersion({ hash: "h1", name: "rb", file: "rb.yaml", content: "x" });
    runId = journal.createRun(
      {
        runbook: "rb",
        runbookHash: "h1",
        params: {},
        secretParams: [],
        targets: [],
        locks: [],
        requestedBy: alice.id,
        requestedByName: alice.name,
        channel: "C1",
      },
      [],
    );
  });
  afterEach(() => t.cleanup());

  const request = (min = 1, approvers = ["role:ops"], allowSelf = false) =>
    journal.createApproval({
      runId,
      policy: { approvers, minApprovals: min, allowSelf, expiresInMs: 60_000 },
      requestedBy: alice.id,
    });
  const decide = (approvalId: number, user: ChatUser, decision: "approve" | "reject" = "approve") =>
    journal.decideApproval({ approvalId, user, decision });

  it("refuses the requester and non-approvers, then one approval approves the run", () => {
    const id = request();
    expect(decide(id, alice)).toMatchObject({
      outcome: "not_allowed",
      reason: expect.stringContaining("you requested"),
    });
    expect(decide(id, mallory)).toMatchObject({
      outcome: "not_allowed",
      reason: expect.stringContaining("role:ops"),
    });
    expect(decide(id, bob)).toMatchObject({ outcome: "approved", decidedBy: "bob" });
    expect(journal.getRun(runId)?.status).toBe("approved");
    expect(decide(id, carol)).toMatchObject({
      outcome: "already_decided",
      status: "approved",
      decidedBy: "bob",
    });
    expect(journal.events(runId).map((e) => e.event)).toEqual([
      "run.requested",
      "approval.approve",
      "run.approved",
    ]);
  });

  it("counts distinct people toward min_approvals; a double click changes nothing", () => {
    const id = request(2);
    expect(decide(id, bob)).toMatchObject({ outcome: "counted", approvals: 1, needed: 2 });
    expect(decide(id, bob)).toMatchObject({ outcome: "duplicate", previous: "approve" });
    expect(journal.getRun(runId)?.status).toBe("pending");
    expect(decide(id, carol)).toMatchObject({ outcome: "approved", decidedBy: "bob, carol" });
    expect(journal.votesFor(id)).toHaveLength(2);
  });

  it("a reject by any approver rejects the run", () => {
    const id = request(2);
    decide(id, bob);
    expect(decide(id, carol, "reject")).toMatchObject({ outcome: "rejected", decidedBy: "carol" });
    expect(journal.getRun(runId)).toMatchObject({ status: "rejected", statusReason: "rejected by carol" });
  });

  it("allow_self and user: entries", () => {
    const id = request(1, ["user:U1"], true);
    expect(decide(id, alice)).toMatchObject({ outcome: "approved" });
  });

  it("expires: a late click is told, and the sweeper expires the run", () => {
    const id = request();
    clock.advance(60_000);
    expect(decide(id, bob)).toMatchObject({ outcome: "expired" });
    expect(journal.getRun(runId)?.status).toBe("expired");
    const id2 = request();
    clock.advance(61_000);
    expect(journal.expireApprovals().map((a) => a.id)).toEqual([id2]);
    expect(journal.expireApprovals()).toEqual([]);
    expect(journal.getApproval(id2)?.status).toBe("expired");
  });

  it("two approvers racing on separate connections: exactly one decides", async () => {
    const { openStore } = await import("../../src/store/store.js");
    const other = openStore(t.path);
    try {
      const id = request();
      const r1 = createJournal({ store: other, clock }).decideApproval({
        approvalId: id,
        user: bob,
        decision: "approve",
      });
      const r2 = journal.decideApproval({ approvalId: id, user: carol, decision: "reject" });
      expect(r1.outcome).toBe("approved");
      expect(r2).toMatchObject({ outcome: "already_decided", decidedBy: "bob" });
      expect(journal.getRun(runId)?.status).toBe("approved");
    } finally {
      other.close();
    }
  });
});
