import { code, context, fields, heading, type Reply, text } from "../../chat/reply.js";
import { formatDuration } from "../../lib/clock.js";
import type { Preview } from "../engine/request.js";
import { describeNode } from "../plan.js";
import type { GateCheck } from "../steps/gate.js";
import { planData } from "./run-data.js";
import { shortHash } from "./step-line.js";

export interface PlanNotes {
  title?: string;
  /** Gates after a state-changing step: shown as checked when the run reaches them. */
  checkedWhenReached?: ReadonlySet<string>;
  /** What would stop the run whatever the gates say (SSH settings, host keys, gate data). */
  problems?: readonly string[];
}

/**
 * The dry run: steps in order with rendered commands (secrets masked), targets, gates as of now, and
 * every problem that would stop the run. With problems it is an error: the run cannot be requested.
 */
export function renderPlan(
  p: Preview,
  gates: ReadonlyMap<string, GateCheck[]>,
  notes: PlanNotes = {},
): Reply {
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
    if (notes.checkedWhenReached?.has(key))
      out.push("   later  checked when reached: it reads the state the steps before it leave behind");
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
  const problems = notes.problems ?? [];
  return {
    blocks: [
      heading(notes.title ?? `Dry run of ${p.version.name}: nothing was executed`),
      ...(problems.length > 0
        ? [
            text(
              `✗ This run cannot succeed as configured: ${problems.length === 1 ? "1 problem" : `${problems.length} problems`}; a request would be refused.`,
            ),
            text(problems.map((x) => `• ${x}`).join("\n")),
          ]
        : []),
      fields(info),
      code(lines.join("\n")),
      ...(failing > 0
        ? [context(`${failing} gate condition(s) fail right now; the run would stop there.`)]
        : []),
    ],
    ...(problems.length > 0 ? { isError: true } : {}),
    data: planData(
      plan,
      {
        runbook: p.version.name,
        hash: p.version.hash,
        params: p.params,
        targets: plan.targets.map((t) => t.name),
      },
      gates,
      notes.checkedWhenReached ?? new Set(),
      problems,
    ),
  };
}
