import { code, context, fields, heading, type Reply } from "../../chat/reply.js";
import { formatDuration } from "../../lib/clock.js";
import type { Preview } from "../engine/request.js";
import { describeNode } from "../plan.js";
import type { GateCheck } from "../steps/gate.js";
import { shortHash } from "./step-line.js";

/** The dry run: steps in order with rendered commands (secrets masked), targets, gates as of now. */
export function renderPlan(p: Preview, gates: ReadonlyMap<string, GateCheck[]>, title?: string): Reply {
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
