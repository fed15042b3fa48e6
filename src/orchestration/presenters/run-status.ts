import { type Block, code, context, fields, heading, type Reply, table, text } from "../../chat/reply.js";
import { formatAge, formatDuration } from "../../lib/clock.js";
import { describeNode, type Plan } from "../plan.js";
import type { RunbookVersion } from "../runbooks/parse.js";
import type { RunbookProblem } from "../runbooks/problems.js";
import { formatProblem } from "../runbooks/problems.js";
import type { GateCheck } from "../steps/gate.js";
import type { RunRow, RunStatus, StepRow, StepStatus } from "../types.js";
import { approvedBy, type RunView } from "../view.js";

/**
 * Transport-free renderings of runs, plans and runbooks (the console shows them as text, Slack as
 * blocks). Pure functions of store rows, so any reporter can re-render at any time.
 */
const STEP_MARK: Record<StepStatus, string> = {
  pending: "○",
  running: "▶",
  waiting: "⏸",
  succeeded: "✓",
  failed: "✗",
  skipped: "–",
  cancelled: "⊘",
  interrupted: "⚠",
};

export const RUN_LABEL: Record<RunStatus, string> = {
  pending: "waiting for approval",
  approved: "approved, starting",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
  interrupted: "interrupted — outcome unknown",
  rejected: "rejected",
  expired: "expired",
  aborted: "aborted",
};

export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

function stepLine(s: StepRow, now: number): string {
  const what = s.rollbackOf ? `↩ ${s.name} (rollback of ${s.rollbackOf})` : s.name;
  const where = s.target && !s.key.endsWith(`@${s.target}`) ? ` on ${s.target}` : "";
  const key = s.key !== s.name && !s.rollbackOf ? ` [${s.key}]` : "";
  let tail = "";
  if (s.status === "running")
    tail = s.startedAt ? ` — running ${formatDuration(now - s.startedAt)}` : " — running";
  else if (s.status === "waiting") tail = " — waiting for approval";
  else if (s.durationMs !== null && s.status !== "pending" && s.status !== "skipped")
    tail = ` — ${formatDuration(s.durationMs)}`;
  if (s.attempt > 1) tail += ` (attempt ${s.attempt})`;
  if (s.error) tail += `: ${s.error}`;
  return `${STEP_MARK[s.status]} ${what}${key}${where}${tail}`;
}

/** The live checklist: header, step lines, who asked and who approved. */
export function renderRun(
  view: RunView,
  now: number,
  options: { outputTail?: string; tailStep?: string } = {},
): Reply {
  const { run } = view;
  const blocks: Block[] = [
    heading(`Run ${run.id} · ${run.runbook} · ${RUN_LABEL[run.status]}`),
    text(view.steps.map((s) => stepLine(s, now)).join("\n") || "(no steps)"),
  ];
  const params = Object.entries(run.params);
  const info: Record<string, string> = {
    Version: shortHash(run.runbookHash),
    "Requested by": `${run.requestedByName} ${formatAge(now - run.requestedAt)}`,
  };
  if (params.length > 0) info.Parameters = params.map(([k, v]) => `${k}=${v}`).join(" ");
  if (run.targets.length > 0) info.Targets = run.targets.join(", ");
  const by = approvedBy(view);
  if (by) info["Approved by"] = by;
  const pending = view.approvals.filter((a) => a.status === "pending");
  for (const a of pending) {
    const votes = a.votes.filter((v) => v.decision === "approve").length;
    info[a.stepKey ? `Approval for ${a.stepKey}` : "Approval"] =
      `${a.approvers.join(", ")} · ${votes}/${a.minApprovals} · expires in ${formatDuration(Math.max(0, a.expiresAt - now))}`;
  }
  if (run.startedAt && run.finishedAt) info.Duration = formatDuration(run.finishedAt - run.startedAt);
  blocks.push(fields(info));
  if (options.outputTail) {
    blocks.push(text(`Output of ${options.tailStep}:`), code(options.outputTail.replace(/\n$/, "")));
  }
  if (run.statusReason) blocks.push(context(run.statusReason));
  const hint = nextHint(run);
  if (hint) blocks.push(context(hint));
  return { blocks, isError: ["failed", "interrupted"].includes(run.status) };
}

function nextHint(run: RunRow): string | undefined {
  switch (run.status) {
    case "running":
    case "approved":
      return `\`cancel ${run.id}\` stops it and runs the rollback steps.`;
    case "interrupted":
      return `\`resume ${run.id}\` (needs approval; add --skip-interrupted if you checked the step completed) or \`abort ${run.id}\`.`;
    default:
      return undefined;
  }
}

export function renderRunList(rows: readonly RunRow[], now: number, title: string): Reply {
  if (rows.length === 0) return { blocks: [text(`${title}: none.`)] };
  return {
    blocks: [
      table(
        ["Run", "Runbook", "Status", "Requested", "By"],
        rows.map((r) => [
          String(r.id),
          r.runbook,
          RUN_LABEL[r.status],
          formatAge(now - r.requestedAt),
          r.requestedByName,
        ]),
        title,
      ),
    ],
  };
}

export function renderRunbookList(
  versions: readonly RunbookVersion[],
  problems: readonly RunbookProblem[],
): Reply {
  const blocks: Block[] = [];
  if (versions.length === 0) blocks.push(text("No runbooks are loaded."));
  else {
    blocks.push(
      table(
        ["Runbook", "Description", "Parameters", "Version"],
        versions.map((v) => [
          v.name,
          v.runbook.description ?? "",
          Object.entries(v.runbook.params)
            .map(([k, p]) => `${k}:${p.type}${p.default === undefined && (p.required ?? true) ? "" : "?"}`)
            .join(" "),
          shortHash(v.hash),
        ]),
      ),
      context("Run one with `run <runbook> key=value …`; add --dry-run to see the plan first."),
    );
  }
  if (problems.length > 0) {
    blocks.push(
      text(`${problems.length} problem(s) in runbook files (the last valid version stays active):`),
    );
    blocks.push(code(problems.map(formatProblem).join("\n")));
  }
  return { blocks };
}

export interface PlanPreview {
  version: RunbookVersion;
  plan: Plan;
  params: Record<string, string>;
  values: Record<string, string>;
  secretNames: string[];
  policy?: { approvers: string[]; minApprovals: number; allowSelf: boolean; expiresInMs: number };
}

/** The dry run: steps in order with rendered commands (secrets masked), targets, gates as of now. */
export function renderPlan(p: PlanPreview, gates: ReadonlyMap<string, GateCheck[]>, title?: string): Reply {
  const { plan } = p;
  const lines = plan.order.map((key, i) => {
    const n = plan.nodes.get(key)!;
    const needs = n.deps.length ? ` (after ${n.deps.join(", ")})` : "";
    const flags = [
      n.idempotent && "idempotent",
      n.retries > 0 && `retries ${n.retries}`,
      n.continueOnError && "continue on error",
    ]
      .filter(Boolean)
      .join(", ");
    const out = [
      `${i + 1}. ${key}${needs}${flags ? ` [${flags}]` : ""}`,
      `   ${describeNode(n, p.values, p.secretNames)}`,
    ];
    for (const c of gates.get(key) ?? [])
      out.push(`   ${c.ok ? "ok  " : "FAIL"} ${c.condition}: ${c.detail}`);
    for (const r of n.rollbacks)
      out.push(`   on failure: ${describeNode(plan.nodes.get(r)!, p.values, p.secretNames)}`);
    return out.join("\n");
  });
  const info: Record<string, string> = { Version: shortHash(p.version.hash) };
  const params = Object.entries(p.params);
  if (params.length) info.Parameters = params.map(([k, v]) => `${k}=${v}`).join(" ");
  info.Targets = plan.targets.length ? plan.targets.map((t) => t.name).join(", ") : "none";
  if (plan.locks.length) info.Locks = plan.locks.join(", ");
  info.Approval = p.policy
    ? `${p.policy.minApprovals} of ${p.policy.approvers.join(", ")}${p.policy.allowSelf ? " (self allowed)" : ""}, expires in ${formatDuration(p.policy.expiresInMs)}`
    : "none (the runbook has no approvers)";
  const failing = [...gates.values()].flat().filter((c) => !c.ok).length;
  return {
    blocks: [
      heading(title ?? `Dry run of ${p.version.name}: nothing was executed`),
      fields(info),
      code(lines.join("\n")),
      ...(failing > 0
        ? [context(`${failing} gate condition(s) fail right now; the run would stop there.`)]
        : []),
    ],
  };
}
