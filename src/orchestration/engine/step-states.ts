import type { Plan } from "../plan.js";
import type { StepStatus } from "../types.js";
import { planIndex, type StatusByPosition } from "./decide.js";

type Status = StepStatus | undefined;

/**
 * An active run's step statuses and last attempts, kept by the node's position in the plan (its
 * decide index) rather than in maps: the run decides after every step, and a decision then reads an
 * array instead of looking up every key. How many steps are running or waiting is counted as statuses
 * change, so "is anything in flight" costs nothing. A key the plan does not know (not expected: a run's
 * rows come from its own plan) is kept aside, so nothing read from the store is ever dropped.
 */
export class StepStates implements StatusByPosition {
  readonly byPosition: Status[];
  private readonly pos: ReadonlyMap<string, number>;
  private readonly keys: readonly string[];
  private readonly attempts: number[];
  private readonly other = new Map<string, { status: Status; attempt: number }>();
  private inFlight = 0;

  /** `rows`: each step row's key, status and last attempt, as `journal.stepStates` returns them. */
  constructor(plan: Plan, rows: Iterable<readonly [key: string, status: StepStatus, attempt: number]>) {
    const ix = planIndex(plan);
    this.pos = ix.pos;
    this.keys = ix.all.map((n) => n.key);
    this.byPosition = new Array<Status>(this.keys.length).fill(undefined);
    this.attempts = new Array<number>(this.keys.length).fill(0);
    for (const [key, status, attempt] of rows) {
      this.set(key, status);
      this.setAttempt(key, attempt);
    }
  }

  get(key: string): Status {
    const i = this.pos.get(key);
    return i === undefined ? this.other.get(key)?.status : this.byPosition[i];
  }

  /** Sets (or, with undefined, forgets: a rollback row not written yet) a step's status. */
  set(key: string, status: Status): void {
    const i = this.pos.get(key);
    let before: Status;
    if (i === undefined) {
      const o = this.other.get(key) ?? { status: undefined, attempt: 0 };
      before = o.status;
      o.status = status;
      this.other.set(key, o);
    } else {
      before = this.byPosition[i];
      this.byPosition[i] = status;
    }
    this.inFlight += (flying(status) ? 1 : 0) - (flying(before) ? 1 : 0);
  }

  /** The step's last journaled attempt (0: never started). */
  attempt(key: string): number {
    const i = this.pos.get(key);
    return i === undefined ? (this.other.get(key)?.attempt ?? 0) : this.attempts[i]!;
  }

  setAttempt(key: string, attempt: number): void {
    const i = this.pos.get(key);
    if (i !== undefined) this.attempts[i] = attempt;
    else {
      const o = this.other.get(key) ?? { status: undefined, attempt: 0 };
      o.attempt = attempt;
      this.other.set(key, o);
    }
  }

  /** Whether any step is running or waiting. */
  anyInFlight(): boolean {
    return this.inFlight > 0;
  }

  /** Every step that has a status, as [key, status]. */
  *entries(): IterableIterator<[string, StepStatus]> {
    for (let i = 0; i < this.keys.length; i++) {
      const s = this.byPosition[i];
      if (s !== undefined) yield [this.keys[i]!, s];
    }
    for (const [key, o] of this.other) if (o.status !== undefined) yield [key, o.status];
  }
}

function flying(s: Status): boolean {
  return s === "running" || s === "waiting";
}
