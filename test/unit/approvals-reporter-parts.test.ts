import { describe, expect, it } from "vitest";
import { SendQueue } from "../../src/chat/slack/send-queue.js";
import { parseApprovalValue, targetApproval } from "../../src/orchestration/presenters/approval-text.js";
import { StepOutput, TokenBucket } from "../../src/orchestration/presenters/output-budget.js";
import type { RunView } from "../../src/orchestration/view.js";
import { ManualTimers } from "../support/slack-manual-timers.js";

describe("step output budget", () => {
  it("coalesces output into chunks, counts what does not fit, and asks for the file", () => {
    const out = new StepOutput({ chunkChars: 10, chunksPerStep: 2 });
    out.add("abc\n");
    out.add("def\n");
    expect(out.take()).toBe("abc\ndef");
    expect(out.incomplete).toBe(false);
    out.add("0123456789ABCDEF");
    expect(out.skipped).toBe(6);
    expect(out.take()).toBe("0123456789");
    expect(out.budgetLeft).toBe(false);
    expect(out.noticeDue).toBe(true);
    out.notice();
    out.add("more");
    expect(out.take()).toBeUndefined();
    expect(out.noticeDue).toBe(false);
    expect(out.skipped).toBe(10);
    expect(out.incomplete).toBe(true);
  });
});

describe("chat.update budget", () => {
  it("allows a burst, then refills at the per-minute rate", () => {
    const b = new TokenBucket(60, 2, 0);
    expect(b.take(0)).toBe(0);
    expect(b.take(0)).toBe(0);
    expect(b.take(0)).toBe(1000);
    expect(b.take(500)).toBe(500);
    expect(b.take(1000)).toBe(0);
  });
});

describe("approval button values select what is decided, never who decides", () => {
  it("parses run[:approval] and nothing else", () => {
    expect(parseApprovalValue("12:3")).toEqual({ runId: 12, approvalId: 3 });
    expect(parseApprovalValue("#12")).toEqual({ runId: 12 });
    expect(parseApprovalValue("12; drop")).toBeUndefined();
    expect(parseApprovalValue("U0BOB0001")).toBeUndefined();
  });

  it("an approval id from another run is refused", () => {
    const view = {
      run: { id: 1 },
      steps: [],
      approvals: [{ id: 5, status: "pending", stepKey: null, votes: [] }],
    } as unknown as RunView;
    expect(targetApproval(view, 6)).toEqual({ ok: false, reason: "That button does not belong to run 1." });
    expect(targetApproval(view, 5)).toMatchObject({ ok: true });
    expect(targetApproval(view, undefined)).toMatchObject({ ok: true });
  });
});

describe("outbox lanes", () => {
  it("a priority job (message update) goes ahead of waiting posts, behind the one in flight", async () => {
    const timers = new ManualTimers();
    const q = new SendQueue({ timers, intervalMs: 1000 });
    const order: string[] = [];
    const job = (name: string, priority = false) =>
      q.enqueue({
        lane: "C1",
        method: "m",
        spaced: true,
        ...(priority ? { priority } : {}),
        run: async () => {
          order.push(name);
        },
      });
    const all = [job("post1"), job("post2"), job("post3"), job("update", true)];
    await timers.runFor(5000);
    await Promise.all(all);
    expect(order).toEqual(["post1", "update", "post2", "post3"]);
  });
});
