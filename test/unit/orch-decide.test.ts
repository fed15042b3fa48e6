import { describe, expect, it } from "vitest";
import { decide } from "../../src/orchestration/engine/decide.js";
import { buildPlan, type Plan } from "../../src/orchestration/plan.js";
import { parseRunbook } from "../../src/orchestration/runbooks/parse.js";
import type { StepStatus } from "../../src/orchestration/types.js";

const devices = [
  { name: "web1", host: "10.0.0.1", tags: ["web"] },
  { name: "web2", host: "10.0.0.2", tags: ["web"] },
  { name: "web3", host: "10.0.0.3", tags: ["web"] },
  { name: "lb1", host: "10.0.0.9", tags: ["lb"] },
];

function plan(yaml: string, params: Record<string, string> = {}): Plan {
  const parsed = parseRunbook(yaml, "t.yaml");
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const r = buildPlan({
    version: parsed.version,
    params,
    secrets: [],
    devices,
    defaultTimeoutMs: 60_000,
    allowLocal: true,
  });
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.plan;
}

/** Drives decide() like the engine would, one "tick" per wave; returns the waves of started keys. */
function simulate(p: Plan, outcome: (key: string) => StepStatus = () => "succeeded", cancelAtWave = -1) {
  const status = new Map<string, StepStatus>();
  const waves: string[][] = [];
  for (let i = 0; i < 100; i++) {
    const d = decide({ plan: p, status, cancelRequested: i >= cancelAtWave && cancelAtWave >= 0 });
    if (d.finish) return { waves, finish: d.finish, status };
    if (d.start.length === 0) throw new Error("stuck");
    waves.push(d.start);
    for (const k of d.start) status.set(k, outcome(k));
  }
  throw new Error("did not finish");
}

describe("decision core", () => {
  it("a step of unknown outcome stops the run interrupted: no rollback, continue_on_error ignored, the rest left pending", () => {
    const p = plan(`name: u
steps:
  - id: a
    continue_on_error: true
    wait: 1s
    on_failure:
      - { id: undo, wait: 1s }
  - { id: b, wait: 1s }
  - { id: c, needs: [a, b], wait: 1s }
runners: [role:ops]
`);
    const r = simulate(p, (k) => (k === "a" ? "interrupted" : "succeeded"));
    expect(r.waves).toEqual([["a", "b"]]);
    expect(r.finish).toEqual({
      status: "interrupted",
      reason: "step a interrupted",
      skip: [],
      interrupted: ["a"],
    });
    expect(r.status.get("c")).toBeUndefined();
    expect(r.status.get("undo")).toBeUndefined();
  });

  it("runs independent branches in parallel and joins on needs", () => {
    const p = plan(`name: g
steps:
  - { id: a, wait: 1s }
  - { id: b, wait: 1s }
  - { id: c, needs: [a], wait: 1s }
  - { id: d, needs: [b, c], wait: 1s }
runners: [role:ops]
`);
    const r = simulate(p);
    expect(r.waves).toEqual([["a", "b"], ["c"], ["d"]]);
    expect(r.finish.status).toBe("succeeded");
  });

  it("rolls a for_each chain one target at a time (max_parallel default 1)", () => {
    const p = plan(`name: roll
targets: ["tag:web"]
steps:
  - { id: drain, for_each: targets, ssh: { on: lb1, command: "drain {{ target.name }}" } }
  - { id: deploy, needs: [drain], for_each: targets, ssh: { command: "deploy" } }
  - { id: enable, needs: [deploy], for_each: targets, ssh: { on: lb1, command: "enable {{ target.name }}" } }
  - { id: done, needs: [enable], notify: { message: done } }
runners: [role:ops]
`);
    expect(simulate(p).waves).toEqual([
      ["drain@web1"],
      ["deploy@web1"],
      ["enable@web1"],
      ["drain@web2"],
      ["deploy@web2"],
      ["enable@web2"],
      ["drain@web3"],
      ["deploy@web3"],
      ["enable@web3"],
      ["done"],
    ]);
    expect(p.nodes.get("drain@web2")?.on).toEqual({ name: "lb1", host: "10.0.0.9" });
  });

  it("max_parallel: 2 keeps two targets in flight", () => {
    const p = plan(`name: roll
targets: ["tag:web"]
steps:
  - { id: a, for_each: targets, max_parallel: 2, ssh: { command: "x" } }
  - { id: b, needs: [a], for_each: targets, ssh: { command: "y" } }
runners: [role:ops]
`);
    expect(simulate(p).waves).toEqual([["a@web1", "a@web2"], ["b@web1", "b@web2"], ["a@web3"], ["b@web3"]]);
  });

  it("failure stops new steps, runs the failed step's rollbacks in order and fails the run", () => {
    const p = plan(`name: f
steps:
  - id: a
    wait: 1s
  - id: b
    needs: [a]
    wait: 1s
    on_failure:
      - { id: undo1, wait: 1s }
      - { wait: 1s }
  - { id: c, needs: [b], wait: 1s }
runners: [role:ops]
`);
    const r = simulate(p, (k) => (k === "b" ? "failed" : "succeeded"));
    expect(r.waves).toEqual([["a"], ["b"], ["undo1"], ["b-rollback-2"]]);
    expect(r.finish).toEqual({ status: "failed", reason: "step b failed", skip: ["c"] });
  });

  it("continue_on_error lets dependents run and the run succeed", () => {
    const p = plan(`name: f
steps:
  - { id: a, wait: 1s, continue_on_error: true }
  - { id: b, needs: [a], wait: 1s }
runners: [role:ops]
`);
    const r = simulate(p, (k) => (k === "a" ? "failed" : "succeeded"));
    expect(r.waves).toEqual([["a"], ["b"]]);
    expect(r.finish.status).toBe("succeeded");
  });

  it("cancel starts nothing new and ends cancelled", () => {
    const p = plan(`name: f
steps:
  - { id: a, wait: 1s }
  - { id: b, needs: [a], wait: 1s }
runners: [role:ops]
`);
    const r = simulate(p, () => "succeeded", 1);
    expect(r.waves).toEqual([["a"]]);
    expect(r.finish).toEqual({ status: "cancelled", skip: ["b"] });
  });

  it("plan errors name the step and what is missing", () => {
    const parsed = parseRunbook(
      `name: e
params: { host: { type: string } }
targets: ["{{ params.host }}", "tag:nope"]
steps:
  - { id: a, ssh: { command: "x {{ target.name }}" } }
  - { id: b, local: { command: "y" } }
runners: [role:ops]
`,
      "e.yaml",
    );
    if (!parsed.ok) throw new Error("invalid");
    const r = buildPlan({
      version: parsed.version,
      params: { host: "db9" },
      secrets: [],
      devices,
      defaultTimeoutMs: 1,
      allowLocal: false,
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toEqual([
        'targets: no configured device named "db9"',
        'targets: no device has tag "nope"',
        "step a: no device to run on; set on: or for_each: targets (the run has 0 targets)",
        "step a: {{ target.name }} used in a step without a target",
        "step b: local steps are disabled on this bot (orchestration.allow_local: false)",
      ]);
    }
  });
});
