import { describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { renderRunMessage } from "../../src/orchestration/presenters/run-message.js";
import { renderRun } from "../../src/orchestration/presenters/run-status.js";
import { checklist } from "../../src/orchestration/presenters/step-line.js";
import type { RunRow, StepRow } from "../../src/orchestration/types.js";
import type { RunView } from "../../src/orchestration/view.js";

const at = Date.UTC(2024, 4, 1, 14, 2, 0);

function step(key: string, over: Partial<StepRow>): StepRow {
  return {
    runId: 7,
    key,
    stepId: key.split("@")[0]!,
    name: key.split("@")[0]!,
    kind: "ssh",
    target: null,
    ordinal: 0,
    rollbackOf: null,
    status: "pending",
    attempt: 0,
    command: null,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    exitCode: null,
    error: null,
    outputBytes: 0,
    outputTruncated: false,
    ...over,
  };
}

const view: RunView = {
  run: {
    id: 7,
    runbook: "deploy",
    runbookHash: "0123456789abcdef",
    status: "running",
    params: {},
    secretParams: [],
    targets: ["web1", "web2"],
    locks: [],
    requestedBy: "U1",
    requestedByName: "alice",
    channel: "C1",
    threadTs: null,
    requestedAt: at - 60_000,
    startedAt: at,
    finishedAt: null,
    cancelRequestedBy: null,
    statusReason: null,
    updatedAt: at,
  } satisfies RunRow,
  steps: [
    step("build", { status: "succeeded", attempt: 2, durationMs: 4000, startedAt: at }),
    step("deploy@web1", { status: "running", attempt: 1, target: "web1", startedAt: at }),
    step("enable@web1", { target: "lb1" }),
    step("work", { status: "interrupted", error: "outcome unknown: opsbot stopped during this step" }),
  ],
  approvals: [],
};

describe("run presenters share one step line", () => {
  it("says since when a step runs, names keys and targets once, and marks every status", () => {
    expect(checklist(view).split("\n")).toEqual([
      "✓ build — 4.0s (attempt 2)",
      "▶ deploy [deploy@web1] — running since 14:02 UTC",
      "○ enable [enable@web1] on lb1",
      "⚠ work — interrupted: outcome unknown: opsbot stopped during this step",
    ]);
  });

  it("`run status` and the live parent message print the same checklist", () => {
    const later = at + 120_000;
    const lines = checklist(view);
    expect(replyToPlainText(renderRun(view, later))).toContain(lines);
    expect(replyToPlainText(renderRunMessage(view, later))).toContain(lines);
  });
});
