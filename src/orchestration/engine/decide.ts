import type { Plan, PlanNode } from "../plan.js";
import type { StepStatus } from "../types.js";

/**
 * The engine's pure decision core: from the plan and the step statuses (as journaled), what to start
 * now and whether the run is finished. No I/O, no clock — the engine applies the decision, the
 * executors do the work, and after every step change the engine asks again.
 *
 * - A node starts when its dependencies are done (succeeded, skipped by an operator, or failed with
 *   continue_on_error) and its rolling group has room for its target.
 * - Once a step fails (without continue_on_error) or a cancel is requested, no new step starts; steps
 *   in flight finish (or are cancelled), and rollback steps of every failed or cancelled step run.
 * - Rollback nodes are absent from `status` until triggered; they run in order, each after the last.
 * - A step of unknown outcome (`interrupted`: its connection died mid-command) stops the run like a
 *   failure, whatever continue_on_error says, runs no rollback (nothing is known to undo), and ends it
 *   `interrupted` — waiting for a Resume (approved) or an Abort, as after a crash.
 */
export interface DecideInput {
  plan: Plan;
  status: ReadonlyMap<string, StepStatus>;
  cancelRequested: boolean;
}

export interface NextSteps {
  start: string[];
  finish?: {
    status: "succeeded" | "failed" | "cancelled" | "interrupted";
    reason?: string;
    skip: string[];
    /** With status interrupted: the step(s) of unknown outcome. */
    interrupted?: string[];
  };
}

const ENDED: readonly StepStatus[] = ["succeeded", "failed", "cancelled", "skipped", "interrupted"];

/**
 * What decide needs of a plan beyond its maps, derived once per plan (a run asks after every step, so
 * the per-call work is one pass over the statuses with no allocation but the answer).
 */
interface PlanIndex {
  all: PlanNode[];
  main: PlanNode[];
  rollbacks: PlanNode[];
  /** Per rolling group, its members' keys by target. */
  members: Map<string, Map<string, string[]>>;
}

const indexes = new WeakMap<Plan, PlanIndex>();

function indexOf(plan: Plan): PlanIndex {
  let ix = indexes.get(plan);
  if (ix) return ix;
  const all = [...plan.nodes.values()];
  const members = new Map<string, Map<string, string[]>>();
  for (const key of plan.order) {
    const n = plan.nodes.get(key)!;
    if (n.group === undefined || !n.target) continue;
    const byTarget = members.get(n.group) ?? new Map<string, string[]>();
    byTarget.set(n.target.name, [...(byTarget.get(n.target.name) ?? []), key]);
    members.set(n.group, byTarget);
  }
  ix = {
    all,
    main: plan.order.map((k) => plan.nodes.get(k)!),
    rollbacks: all.filter((n) => n.rollbackOf !== undefined),
    members,
  };
  indexes.set(plan, ix);
  return ix;
}

function satisfied(n: PlanNode, s: StepStatus | undefined): boolean {
  if (s === "succeeded" || s === "skipped") return true;
  return (s === "failed" || s === "cancelled") && n.continueOnError;
}

function hardFailed(n: PlanNode, s: StepStatus | undefined): boolean {
  if (s === "interrupted") return true;
  return (s === "failed" || s === "cancelled") && !n.continueOnError;
}

function depsDone(plan: Plan, status: ReadonlyMap<string, StepStatus>, n: PlanNode): boolean {
  for (const d of n.deps) if (!satisfied(plan.nodes.get(d)!, status.get(d))) return false;
  return true;
}

export function decide(input: DecideInput): NextSteps {
  const { plan, status } = input;
  const ix = indexOf(plan);
  let failedMain: string | undefined;
  for (const n of ix.main) {
    if (hardFailed(n, status.get(n.key))) {
      failedMain = n.key;
      break;
    }
  }
  const stopping = input.cancelRequested || failedMain !== undefined;
  const start: string[] = [];

  // Rollbacks: triggered by a failed or cancelled owner, run in order.
  for (const n of ix.rollbacks) {
    const owner = status.get(n.rollbackOf!);
    if (owner !== "failed" && owner !== "cancelled") continue;
    const s = status.get(n.key);
    if (s !== undefined && s !== "pending") continue;
    if (depsDone(plan, status, n)) start.push(n.key);
  }

  if (!stopping) {
    const inFlightTargets = ix.members.size > 0 ? groupOccupancy(ix.members, status) : undefined;
    for (const n of ix.main) {
      const s = status.get(n.key);
      if (s !== undefined && s !== "pending") continue;
      if (!depsDone(plan, status, n)) continue;
      if (n.group !== undefined && n.target && inFlightTargets) {
        const occupied = inFlightTargets.get(n.group) ?? new Set<string>();
        if (!occupied.has(n.target.name)) {
          if (occupied.size >= plan.groups.get(n.group)!.maxParallel) continue;
          occupied.add(n.target.name);
          inFlightTargets.set(n.group, occupied);
        }
      }
      start.push(n.key);
    }
  }

  if (start.length > 0) return { start };
  for (const n of ix.all) {
    const s = status.get(n.key);
    if (s === "running" || s === "waiting") return { start };
  }
  return finish(plan, ix, status, input.cancelRequested, failedMain);
}

/** Nothing runs and nothing can start: how the run ends. */
function finish(
  plan: Plan,
  ix: PlanIndex,
  status: ReadonlyMap<string, StepStatus>,
  cancelRequested: boolean,
  failedMain: string | undefined,
): NextSteps {
  const start: string[] = [];
  const st = (key: string): StepStatus | undefined => status.get(key);
  const skip = plan.order.filter((k) => (st(k) ?? "pending") === "pending");
  const unknown = ix.all.filter((n) => st(n.key) === "interrupted").map((n) => n.key);
  if (unknown.length > 0) {
    // Pending steps stay pending: a resume may still run them.
    return {
      start,
      finish: {
        status: "interrupted",
        reason: `step ${unknown.join(", ")} interrupted`,
        skip: [],
        interrupted: unknown,
      },
    };
  }
  const failedRollback = ix.rollbacks.find((n) => hardFailed(n, st(n.key)))?.key;
  if (cancelRequested) return { start, finish: { status: "cancelled", skip } };
  if (failedMain !== undefined) {
    const why = rollbackNote(failedRollback);
    return {
      start,
      finish: { status: "failed", reason: `step ${failedMain} ${st(failedMain)}${why}`, skip },
    };
  }
  if (failedRollback !== undefined) {
    return { start, finish: { status: "failed", reason: `rollback ${failedRollback} failed`, skip } };
  }
  if (skip.length > 0) {
    // Unreachable for an acyclic plan; fail loudly rather than report success with steps not run.
    return {
      start,
      finish: { status: "failed", reason: `steps never became ready: ${skip.join(", ")}`, skip },
    };
  }
  return { start, finish: { status: "succeeded", skip } };
}

function rollbackNote(failedRollback: string | undefined): string {
  return failedRollback === undefined ? "" : `; rollback ${failedRollback} failed too`;
}

/**
 * Targets currently inside each rolling group: a target enters when its first step in the group
 * starts and leaves when all of its steps in the group have ended.
 */
function groupOccupancy(
  members: Map<string, Map<string, string[]>>,
  status: ReadonlyMap<string, StepStatus>,
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [group, byTarget] of members) {
    const occupied = new Set<string>();
    for (const [target, keys] of byTarget) {
      const states = keys.map((k) => status.get(k) ?? "pending");
      const begun = states.some((s) => s !== "pending");
      const done = states.every((s) => ENDED.includes(s));
      if (begun && !done) occupied.add(target);
    }
    out.set(group, occupied);
  }
  return out;
}
