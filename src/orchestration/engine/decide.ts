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
  /** By step key, or by the node's position in `planIndex(plan).all` (what an active run keeps). */
  status: ReadonlyMap<string, StepStatus> | StatusByPosition;
  cancelRequested: boolean;
}

/** Statuses by node position in `planIndex(plan).all`; undefined: no row (a rollback not triggered). */
export interface StatusByPosition {
  readonly byPosition: readonly (StepStatus | undefined)[];
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

type Status = StepStatus | undefined;

/**
 * A plan's graph by position, derived once per plan: a run asks after every step, so a decision is
 * one status lookup per node and array work, whatever the shape of the graph.
 */
export interface PlanIndex {
  /** Every node, in the plan's map order. */
  all: PlanNode[];
  /** Each node's position in `all`, by key. */
  pos: Map<string, number>;
  /** Positions (in `all`) of the main nodes, in plan order. */
  main: number[];
  /** Positions of the rollback nodes, in `all` order. */
  rollbacks: number[];
  /** Per node: the positions of its dependencies. */
  deps: number[][];
  /** Per node: the position of the step it rolls back, or -1. */
  owner: number[];
  /** Per rolling group, its members' positions by target. */
  members: Map<string, Map<string, number[]>>;
}

const indexes = new WeakMap<Plan, PlanIndex>();

/** The plan's graph by position, built once per plan. */
export function planIndex(plan: Plan): PlanIndex {
  let ix = indexes.get(plan);
  if (ix) return ix;
  const all = [...plan.nodes.values()];
  const pos = new Map(all.map((n, i) => [n.key, i]));
  const members = new Map<string, Map<string, number[]>>();
  for (const key of plan.order) {
    const n = plan.nodes.get(key)!;
    if (n.group === undefined || !n.target) continue;
    const byTarget = members.get(n.group) ?? new Map<string, number[]>();
    byTarget.set(n.target.name, [...(byTarget.get(n.target.name) ?? []), pos.get(key)!]);
    members.set(n.group, byTarget);
  }
  ix = {
    all,
    pos,
    main: plan.order.map((k) => pos.get(k)!),
    rollbacks: all.flatMap((n, i) => (n.rollbackOf === undefined ? [] : [i])),
    deps: all.map((n) => n.deps.map((d) => pos.get(d)!)),
    owner: all.map((n) => (n.rollbackOf === undefined ? -1 : pos.get(n.rollbackOf)!)),
    members,
  };
  indexes.set(plan, ix);
  return ix;
}

function byPosition(all: readonly PlanNode[], status: ReadonlyMap<string, StepStatus>): Status[] {
  const st: Status[] = new Array(all.length);
  for (let i = 0; i < all.length; i++) st[i] = status.get(all[i]!.key);
  return st;
}

function satisfied(n: PlanNode, s: Status): boolean {
  if (s === "succeeded" || s === "skipped") return true;
  return (s === "failed" || s === "cancelled") && n.continueOnError;
}

function hardFailed(n: PlanNode, s: Status): boolean {
  if (s === "interrupted") return true;
  return (s === "failed" || s === "cancelled") && !n.continueOnError;
}

function depsDone(ix: PlanIndex, st: readonly Status[], i: number): boolean {
  for (const d of ix.deps[i]!) if (!satisfied(ix.all[d]!, st[d])) return false;
  return true;
}

export function decide(input: DecideInput): NextSteps {
  const { plan, status } = input;
  const ix = planIndex(plan);
  const { all } = ix;
  const st = "byPosition" in status ? status.byPosition : byPosition(all, status);
  let failedMain = -1;
  for (const i of ix.main) {
    if (hardFailed(all[i]!, st[i])) {
      failedMain = i;
      break;
    }
  }
  const stopping = input.cancelRequested || failedMain >= 0;
  const start: string[] = [];

  // Rollbacks: triggered by a failed or cancelled owner, run in order.
  for (const i of ix.rollbacks) {
    const owner = st[ix.owner[i]!];
    if (owner !== "failed" && owner !== "cancelled") continue;
    if (st[i] !== undefined && st[i] !== "pending") continue;
    if (depsDone(ix, st, i)) start.push(all[i]!.key);
  }

  if (!stopping) {
    const inFlightTargets = ix.members.size > 0 ? groupOccupancy(ix.members, st) : undefined;
    for (const i of ix.main) {
      if (st[i] !== undefined && st[i] !== "pending") continue;
      if (!depsDone(ix, st, i)) continue;
      const n = all[i]!;
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
  for (const s of st) if (s === "running" || s === "waiting") return { start };
  return finish(ix, st, input.cancelRequested, failedMain);
}

/** Nothing runs and nothing can start: how the run ends. */
function finish(
  ix: PlanIndex,
  st: readonly Status[],
  cancelRequested: boolean,
  failedMain: number,
): NextSteps {
  const start: string[] = [];
  const keysWhere = (positions: number[], test: (s: Status, n: PlanNode) => boolean) =>
    positions.filter((i) => test(st[i], ix.all[i]!)).map((i) => ix.all[i]!.key);
  const skip = keysWhere(ix.main, (s) => (s ?? "pending") === "pending");
  const unknown = keysWhere(
    ix.all.map((_, i) => i),
    (s) => s === "interrupted",
  );
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
  const failedRollback = keysWhere(ix.rollbacks, (s, n) => hardFailed(n, s))[0];
  if (cancelRequested) return { start, finish: { status: "cancelled", skip } };
  if (failedMain >= 0) {
    const why = rollbackNote(failedRollback);
    const key = ix.all[failedMain]!.key;
    return { start, finish: { status: "failed", reason: `step ${key} ${st[failedMain]}${why}`, skip } };
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
  members: Map<string, Map<string, number[]>>,
  st: readonly Status[],
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [group, byTarget] of members) {
    const occupied = new Set<string>();
    for (const [target, positions] of byTarget) {
      const states = positions.map((i) => st[i] ?? "pending");
      const begun = states.some((s) => s !== "pending");
      const done = states.every((s) => ENDED.includes(s));
      if (begun && !done) occupied.add(target);
    }
    out.set(group, occupied);
  }
  return out;
}
