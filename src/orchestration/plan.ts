import { parseDuration } from "../lib/clock.js";
import type { RunbookVersion } from "./runbooks/parse.js";
import { type ActionKind, actionKind, type RollbackStep, type Step } from "./runbooks/schema.js";
import { rollbackId } from "./runbooks/validate.js";
import { renderShell, renderText, type TemplateRef, type TemplateVars } from "./template.js";

/**
 * Expands a runbook version + parameters into the concrete step graph a run executes: one node per
 * step, or per target for `for_each: targets`, with dependencies wired per target inside a rolling
 * chain. Pure; the engine, dry run and request preview all use it, so what is shown is what runs.
 *
 * Rolling chains: for_each steps that need each other form a group; `s@web1` needs `r@web1`, and at
 * most `max_parallel` targets (default 1) are inside the group at once. With drain → deploy → check →
 * enable over [web1, web2], web2 is drained only after web1 was re-enabled.
 */
export interface PlanDevice {
  name: string;
  host: string;
  tags: readonly string[];
}

export interface PlanTarget {
  name: string;
  host: string;
}

export interface PlanNode {
  key: string;
  stepId: string;
  name: string;
  kind: ActionKind;
  step: Step | RollbackStep;
  /** The target `{{ target.* }}` refers to: the for_each item, else the run's only target. */
  target?: PlanTarget;
  /** Device an ssh/gate action addresses (`on:` or the target). */
  on?: PlanTarget;
  /** Gate firmware bounds with placeholders filled in. */
  firmware?: { atLeast?: string; atMost?: string };
  deps: string[];
  group?: string;
  ordinal: number;
  rollbackOf?: string;
  /** Keys of this node's rollback nodes, in order. */
  rollbacks: string[];
  timeoutMs?: number;
  retries: number;
  backoffMs: number;
  idempotent: boolean;
  continueOnError: boolean;
}

export interface Plan {
  nodes: Map<string, PlanNode>;
  /** Main (non-rollback) nodes in display order. */
  order: string[];
  groups: Map<string, { maxParallel: number }>;
  targets: PlanTarget[];
  locks: string[];
}

export interface PlanInput {
  version: RunbookVersion;
  params: Readonly<Record<string, string>>;
  secrets: readonly string[];
  devices: readonly PlanDevice[];
  defaultTimeoutMs: number;
  allowLocal: boolean;
}

export type PlanResult = { ok: true; plan: Plan } | { ok: false; errors: string[] };

export const SECRET_MASK = "••••••";

export function buildPlan(input: PlanInput): PlanResult {
  const rb = input.version.runbook;
  const errors: string[] = [];
  const vars: TemplateVars = { params: input.params };
  const byName = new Map(input.devices.map((d) => [d.name.toLowerCase(), d]));
  const device = (name: string, where: string): PlanTarget | undefined => {
    const d = byName.get(name.trim().toLowerCase());
    if (!d) errors.push(`${where}: no configured device named "${name}"`);
    return d ? { name: d.name, host: d.host } : undefined;
  };
  const text = (t: string, v: TemplateVars, where: string): string | undefined => {
    try {
      return renderText(t, v);
    } catch (err) {
      errors.push(`${where}: ${(err as Error).message}`);
      return undefined;
    }
  };

  const targets: PlanTarget[] = [];
  for (const entry of rb.targets ?? []) {
    const name = text(entry, vars, "targets");
    if (name === undefined) continue;
    const found = name.startsWith("tag:")
      ? input.devices
          .filter((d) => d.tags.includes(name.slice(4)))
          .map((d) => ({ name: d.name, host: d.host }))
      : [device(name, "targets")].filter((d): d is PlanTarget => d !== undefined);
    if (name.startsWith("tag:") && found.length === 0)
      errors.push(`targets: no device has tag "${name.slice(4)}"`);
    for (const t of found) if (!targets.some((x) => x.name === t.name)) targets.push(t);
  }

  const locks: string[] = [];
  if (rb.lock === "targets") locks.push(...targets.map((t) => `device:${t.name}`));
  else if (rb.lock !== undefined) {
    for (const l of Array.isArray(rb.lock) ? rb.lock : [rb.lock]) {
      const k = text(l, vars, "lock");
      if (k !== undefined) locks.push(k);
    }
  }

  const groups = groupsOf(rb.steps);
  const nodes = new Map<string, PlanNode>();
  const order: string[] = [];
  const instances = new Map<string, string[]>();
  const only = targets.length === 1 ? targets[0] : undefined;

  const resolveOn = (
    s: Step | RollbackStep,
    target: PlanTarget | undefined,
    where: string,
  ): PlanTarget | undefined => {
    const onText = s.ssh?.on ?? s.gate?.on;
    if (onText !== undefined) {
      const name = text(onText, { ...vars, ...(target ? { target } : {}) }, where);
      return name === undefined ? undefined : device(name, where);
    }
    if (s.ssh === undefined && s.gate === undefined) return undefined;
    if (!target) {
      errors.push(
        `${where}: no device to ${s.ssh ? "run on" : "check"}; set on: or for_each: targets (the run has ${targets.length} targets)`,
      );
    }
    return target;
  };

  const makeNode = (
    s: Step | RollbackStep,
    key: string,
    stepId: string,
    target: PlanTarget | undefined,
    ordinal: number,
  ): PlanNode => {
    const where = `step ${key}`;
    if (s.local && !input.allowLocal) {
      errors.push(`${where}: local steps are disabled on this bot (orchestration.allow_local: false)`);
    }
    const on = resolveOn(s, target, where);
    // Render every template now (values are known) so a missing value fails the request, not step 7.
    const v: TemplateVars = { ...vars, ...(target ? { target } : {}), runId: 0 };
    for (const t of [s.ssh?.command, s.local?.command].filter((x) => x !== undefined)) {
      try {
        renderShell(t, v);
      } catch (err) {
        errors.push(`${where}: ${(err as Error).message}`);
      }
    }
    for (const t of [s.notify?.message, s.approval?.message].filter((x) => x !== undefined))
      text(t, v, where);
    const fw = s.gate?.firmware;
    const atLeast = fw?.at_least === undefined ? undefined : text(fw.at_least, v, where);
    const atMost = fw?.at_most === undefined ? undefined : text(fw.at_most, v, where);
    return {
      key,
      stepId,
      name: s.name ?? stepId,
      kind: actionKind(s),
      step: s,
      ...(target ? { target } : {}),
      ...(on ? { on } : {}),
      ...(fw ? { firmware: { ...(atLeast ? { atLeast } : {}), ...(atMost ? { atMost } : {}) } } : {}),
      deps: [],
      ordinal,
      rollbacks: [],
      ...(s.wait === undefined && s.approval === undefined
        ? { timeoutMs: s.timeout ? parseDuration(s.timeout) : input.defaultTimeoutMs }
        : s.timeout
          ? { timeoutMs: parseDuration(s.timeout) }
          : {}),
      retries: s.retries,
      backoffMs: parseDuration(s.backoff ?? "5s") ?? 5000,
      idempotent: s.idempotent,
      continueOnError: s.continue_on_error,
    };
  };

  rb.steps.forEach((s, i) => {
    const each = s.for_each === "targets";
    if (each && targets.length === 0)
      errors.push(`step ${s.id}: for_each: targets, but the run has no targets`);
    const items: (PlanTarget | undefined)[] = each ? targets : [only];
    const keys: string[] = [];
    items.forEach((t, ti) => {
      const key = each && t ? `${s.id}@${t.name}` : s.id;
      const node = makeNode(s, key, s.id, t, i * 1_000_000 + ti * 100);
      if (each) node.group = groups.get(s.id)!.id;
      s.on_failure?.forEach((rs, j) => {
        const rid = rollbackId(s, j);
        const rkey = each && t ? `${rid}@${t.name}` : rid;
        const rnode = makeNode(rs, rkey, rid, t, node.ordinal + j + 1);
        rnode.rollbackOf = key;
        // Rollback steps run in order: each needs the one before it.
        if (j > 0) rnode.deps.push(node.rollbacks[j - 1]!);
        node.rollbacks.push(rkey);
        nodes.set(rkey, rnode);
      });
      nodes.set(key, node);
      order.push(key);
      keys.push(key);
    });
    instances.set(s.id, keys);
  });

  for (const s of rb.steps) {
    for (const key of instances.get(s.id) ?? []) {
      const node = nodes.get(key)!;
      for (const need of s.needs) {
        const needStep = rb.steps.find((x) => x.id === need)!;
        const pairwise = s.for_each === "targets" && needStep.for_each === "targets";
        node.deps.push(...(pairwise ? [`${need}@${node.target!.name}`] : (instances.get(need) ?? [])));
      }
    }
  }

  const groupLimits = new Map<string, { maxParallel: number }>();
  for (const g of groups.values()) groupLimits.set(g.id, { maxParallel: g.maxParallel });

  if (errors.length > 0) return { ok: false, errors: [...new Set(errors)] };
  return { ok: true, plan: { nodes, order, groups: groupLimits, targets, locks } };
}

/** Union-find over for_each steps linked by `needs`: each connected chain is one rolling group. */
function groupsOf(steps: readonly Step[]): Map<string, { id: string; maxParallel: number }> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    const p = parent.get(x) ?? x;
    if (p === x) return x;
    const root = find(p);
    parent.set(x, root);
    return root;
  };
  const each = steps.filter((s) => s.for_each === "targets");
  for (const s of each) parent.set(s.id, s.id);
  for (const s of each) {
    for (const n of s.needs) if (parent.has(n)) parent.set(find(s.id), find(n));
  }
  const limits = new Map<string, number>();
  for (const s of each) {
    if (s.max_parallel === undefined) continue;
    const root = find(s.id);
    limits.set(root, Math.min(limits.get(root) ?? Number.POSITIVE_INFINITY, s.max_parallel));
  }
  const out = new Map<string, { id: string; maxParallel: number }>();
  for (const s of each) {
    const root = find(s.id);
    out.set(s.id, { id: root, maxParallel: limits.get(root) ?? 1 });
  }
  return out;
}

/** Template variables a node's action sees. */
export function nodeVars(
  node: PlanNode,
  params: Readonly<Record<string, string>>,
  runId?: number,
): TemplateVars {
  return {
    params,
    ...(node.target ? { target: node.target } : {}),
    ...(runId !== undefined ? { runId } : {}),
  };
}

/** Masks secret parameters (and an unknown run id) for anything shown or stored. */
export function displayMask(secrets: readonly string[], quoted: boolean) {
  return (ref: TemplateRef): string | undefined => {
    if (ref.kind === "param" && secrets.includes(ref.name)) return quoted ? `'${SECRET_MASK}'` : SECRET_MASK;
    return undefined;
  };
}

/** The command as shown in plans, checklists and the journal: secrets masked. */
export function displayCommand(
  node: PlanNode,
  params: Readonly<Record<string, string>>,
  secrets: readonly string[],
  runId?: number,
): string | undefined {
  const cmd = node.step.ssh?.command ?? node.step.local?.command;
  if (cmd === undefined) return undefined;
  const vars = nodeVars(node, params, runId);
  const mask = displayMask(secrets, true);
  return renderShell(
    cmd,
    vars,
    (ref) => mask(ref) ?? (ref.kind === "run" && runId === undefined ? "'<run id>'" : undefined),
  );
}

/** One-line description of what a node does, for plans and checklists. */
export function describeNode(
  node: PlanNode,
  params: Readonly<Record<string, string>>,
  secrets: readonly string[],
  runId?: number,
): string {
  const s = node.step;
  const vars = nodeVars(node, params, runId);
  const mask = displayMask(secrets, false);
  const show = (t: string) => {
    try {
      return renderText(t, vars, mask);
    } catch (err) {
      return `(${(err as Error).message})`;
    }
  };
  switch (node.kind) {
    case "ssh":
      return `ssh ${node.on?.name ?? "?"}: ${displayCommand(node, params, secrets, runId)}`;
    case "local":
      return `local: ${displayCommand(node, params, secrets, runId)}`;
    case "gate":
      return `gate ${node.on?.name ?? "?"}: ${gateConditions(node)}`;
    case "wait":
      return `wait ${s.wait}`;
    case "approval":
      return `approval${s.approval?.message ? `: ${show(s.approval.message)}` : ""}`;
    case "notify":
      return `notify${s.notify?.channel ? ` #${s.notify.channel}` : ""}: ${show(s.notify!.message)}`;
  }
}

export function gateConditions(node: PlanNode): string {
  const g = node.step.gate!;
  const parts: string[] = [];
  if (g.reachable) parts.push("reachable");
  if (g.ports_up !== undefined) parts.push(g.ports_up === true ? "all ports up" : `ports ${g.ports_up} up`);
  if (g.no_failing_drives) parts.push("no failing drives");
  if (node.firmware?.atLeast) parts.push(`firmware ≥ ${node.firmware.atLeast}`);
  if (node.firmware?.atMost) parts.push(`firmware ≤ ${node.firmware.atMost}`);
  return parts.join(", ");
}
