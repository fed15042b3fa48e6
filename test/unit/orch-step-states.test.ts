import { describe, expect, it } from "vitest";
import { decide } from "../../src/orchestration/engine/decide.js";
import { StepStates } from "../../src/orchestration/engine/step-states.js";
import { buildPlan, type Plan } from "../../src/orchestration/plan.js";
import { parseRunbook } from "../../src/orchestration/runbooks/parse.js";
import { STEP_STATUSES, type StepStatus } from "../../src/orchestration/types.js";
import { seededRandom } from "../support/seeded-random.js";

/**
 * An active run keeps its step statuses by plan position (StepStates) and decides from that array.
 * Whatever the statuses, the decision must be the one decide() makes from the same statuses by key,
 * and the in-flight count must agree with a recount.
 */
const devices = ["web1", "web2", "web3", "web4"].map((name, i) => ({
  name,
  host: `10.0.0.${i + 1}`,
  tags: ["web"],
}));

function plan(yaml: string): Plan {
  const parsed = parseRunbook(yaml, "t.yaml");
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const r = buildPlan({
    version: parsed.version,
    params: {},
    secrets: [],
    devices,
    defaultTimeoutMs: 60_000,
    allowLocal: true,
  });
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.plan;
}

const GRAPH = plan(`name: g
runners: [role:ops]
targets: ["tag:web"]
steps:
  - id: a
    wait: 1s
    on_failure:
      - { id: undo-a, wait: 1s }
  - { id: b, needs: [a], continue_on_error: true, wait: 1s }
  - { id: c, needs: [a], wait: 1s }
  - { id: roll, needs: [b, c], for_each: targets, max_parallel: 2, ssh: { command: "x" } }
  - id: after
    needs: [roll]
    for_each: targets
    ssh: { command: "y" }
    on_failure:
      - { id: undo-after, wait: 1s }
  - { id: last, needs: [after], wait: 1s }
`);

const STATUSES: (StepStatus | undefined)[] = [undefined, ...STEP_STATUSES];

describe("step states by plan position", () => {
  it("decide() from positions equals decide() from a map, for 1,000 random status sets", () => {
    const rand = seededRandom(18);
    const keys = [...GRAPH.nodes.keys()];
    expect(keys.length).toBeGreaterThan(10);
    for (let round = 0; round < 1000; round++) {
      const byKey = new Map<string, StepStatus>();
      const states = new StepStates(GRAPH, []);
      // Statuses change several times, as in a run, so the in-flight count is exercised both ways.
      for (let change = 0; change < 3; change++) {
        for (const key of keys) {
          if (rand() < 0.5) continue;
          const s = STATUSES[Math.floor(rand() * STATUSES.length)];
          states.set(key, s);
          if (s === undefined) byKey.delete(key);
          else byKey.set(key, s);
        }
      }
      const cancelRequested = rand() < 0.2;
      expect(decide({ plan: GRAPH, status: states, cancelRequested })).toEqual(
        decide({ plan: GRAPH, status: byKey, cancelRequested }),
      );
      const flying = [...byKey.values()].some((s) => s === "running" || s === "waiting");
      expect(states.anyInFlight()).toBe(flying);
      expect(new Map(states.entries())).toEqual(byKey);
      for (const key of keys) expect(states.get(key)).toBe(byKey.get(key));
    }
  });

  it("loads statuses and attempts from step rows, and keeps a key the plan does not know", () => {
    const states = new StepStates(GRAPH, [
      ["a", "succeeded", 2],
      ["b", "running", 1],
      ["stray", "waiting", 3],
    ]);
    expect([states.get("a"), states.attempt("a")]).toEqual(["succeeded", 2]);
    expect([states.get("c"), states.attempt("c")]).toEqual([undefined, 0]);
    expect([states.get("stray"), states.attempt("stray")]).toEqual(["waiting", 3]);
    expect(states.anyInFlight()).toBe(true);
    states.set("b", "succeeded");
    expect(states.anyInFlight()).toBe(true); // the stray row is still waiting
    states.set("stray", "failed");
    expect(states.anyInFlight()).toBe(false);
    states.setAttempt("c", 4);
    expect(states.attempt("c")).toBe(4);
  });
});
