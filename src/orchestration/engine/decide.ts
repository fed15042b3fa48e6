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

const IN_FLIGHT: readonly StepStatus[] = ["running", "waiting"];
const ENDED: readonly StepStatus[] = ["succeeded", "failed", "cancelled", "skipped", "interrupted"];

export function decide(input: DecideInput): NextSteps {
  const { plan, status } = input;
  const st = (key: string): StepStatus | undefined => status.get(key);
  const node = (key: string): PlanNode => plan.nodes.get(key)!;
  const satisfied = (key: string): boolean => {
    const s = st(key);
    if (s === "succeeded" || s === "skipped") return true;
    return (s === "failed" || s === "cancelled") && node(key).continueOnError;
  };
  const hardFailed = (key: string): boolean => {
    const s = st(key);
    if (s === "interrupted") return true;
    return (s === "failed" || s === "cancelled") && !node(key).continueOnError;
  };

  const allKeys = [...plan.nodes.keys()];
  const failedMain = plan.order.find(hardFailed);
  const stopping = input.cancelRequested || failedMain !== undefined;
  const start: string[] = [];

  // Rollbacks: triggered by a failed or cancelled owner, run in order.
  for (const key of allKeys) {
    const n = node(key);
    if (n.rollbackOf === undefined) continue;
    const owner = st(n.rollbackOf);
    if (owner !== "failed" && owner !== "cancelled") continue;
    const s = st(key);
    if (s !== undefined && s !== "pending") continue;
    if (n.deps.every(satisfied)) start.push(key);
  }

  if (!stopping) {
    const inFlightTargets = groupOccupancy(plan, st);
    for (const key of plan.order) {
      if ((st(key) ?? "pending") !== "pending") continue;
      const n = node(key);
      if (!n.deps.every(satisfied)) continue;
      if (n.group !== undefined && n.target) {
        const occupied = inFlightTargets.get(n.group) ?? new Set<string>();
        if (!occupied.has(n.target.name)) {
          if (occupied.size >= plan.groups.get(n.group)!.maxParallel) continue;
          occupied.add(n.target.name);
          inFlightTargets.set(n.group, occupied);
        }
      }
      start.push(key);
    }
  }

  if (start.length > 0) return { start };
  if (allKeys.some((k) => IN_FLIGHT.includes(st(k) ?? "pending"))) return { start };

  const skip = plan.order.filter((k) => (st(k) ?? "pending") === "pending");
  const unknown = allKeys.filter((k) => st(k) === "interrupted");
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
  const failedRollback = allKeys.find((k) => node(k).rollbackOf !== undefined && hardFailed(k));
  if (input.cancelRequested) return { start, finish: { status: "cancelled", skip } };
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
function groupOccupancy(plan: Plan, st: (key: string) => StepStatus | undefined): Map<string, Set<string>> {
  const members = new Map<string, Map<string, string[]>>();
  for (const key of plan.order) {
    const n = plan.nodes.get(key)!;
    if (n.group === undefined || !n.target) continue;
    const byTarget = members.get(n.group) ?? new Map<string, string[]>();
    byTarget.set(n.target.name, [...(byTarget.get(n.target.name) ?? []), key]);
    members.set(n.group, byTarget);
  }
  const out = new Map<string, Set<string>>();
  for (const [group, byTarget] of members) {
    const occupied = new Set<string>();
    for (const [target, keys] of byTarget) {
      const states = keys.map((k) => st(k) ?? "pending");
      const begun = states.some((s) => s !== "pending");
      const done = states.every((s) => ENDED.includes(s));
      if (begun && !done) occupied.add(target);
    }
    out.set(group, occupied);
  }
  return out;
}
