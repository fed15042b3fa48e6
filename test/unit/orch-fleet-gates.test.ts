import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/lib/clock.js";
import { createFleetQueries } from "../../src/management/fleet-queries.js";
import { recordPoll } from "../../src/management/record-poll.js";
import { fleetViewFromManagement } from "../../src/orchestration/management-port.js";
import { buildPlan } from "../../src/orchestration/plan.js";
import { parseRunbook } from "../../src/orchestration/runbooks/parse.js";
import { evaluateGate } from "../../src/orchestration/steps/gate.js";
import { drive, observation, port, registration, seededRepo, tempStore } from "../support/mgmt-fixtures.js";

/** Gates through the adapter over the real management cache (SQLite), as the composition root wires it. */
const RUNBOOK = `name: gates
params: { min: { type: string, default: "16.12.4" } }
steps:
  - { id: up, gate: { on: core-sw1, reachable: true } }
  - { id: ports, gate: { on: core-sw1, ports_up: true } }
  - { id: uplinks, gate: { on: core-sw1, ports_up: "uplink*" } }
  - { id: fw, gate: { on: core-sw1, firmware: { at_least: "{{ params.min }}" } } }
  - { id: fw-old, gate: { on: core-sw1, firmware: { at_least: "16.9", at_most: "16.9.9" } } }
  - { id: disks, gate: { on: db1, no_failing_drives: true } }
  - { id: never, gate: { on: core-sw2, reachable: true } }
  - { id: fresh, gate: { on: core-sw1, reachable: true, max_age: 1m } }
`;

describe("gates over the management cache", () => {
  let ctx: ReturnType<typeof tempStore>;
  const clock = new ManualClock();

  beforeEach(() => {
    ctx = tempStore();
    const repo = seededRepo(ctx.store, [
      registration("core-sw1"),
      registration("core-sw2"),
      registration("db1"),
    ]);
    recordPoll(
      ctx.store,
      repo,
      observation("core-sw1", clock.now(), {
        entity: {
          model: "WS-C3850-48P",
          serial: "X",
          hardwareRev: "",
          firmwareRev: "",
          softwareRev: "16.9.8",
          source: "entity-mib",
        },
        interfaces: [
          port(1, { alias: "uplink fw1" }),
          port(2, { alias: "to db1", operStatus: "down" }),
          port(3, { adminStatus: "down", operStatus: "down" }),
        ],
      }),
    );
    recordPoll(
      ctx.store,
      repo,
      observation("db1", clock.now(), {
        drives: {
          sources: ["idrac"],
          items: [drive("idrac:0"), drive("idrac:1", { status: "failed", rawStatus: "failed(2)" })],
        },
      }),
    );
    clock.advance(2 * 60_000);
  });
  afterEach(() => ctx.cleanup());

  it("reads reachability, ports, drives and firmware with their age, failing closed on missing or stale data", async () => {
    const fleet = fleetViewFromManagement(createFleetQueries({ store: ctx.store, clock, baselines: {} }));
    const parsed = parseRunbook(RUNBOOK, "gates.yaml");
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const devices = ["core-sw1", "core-sw2", "db1"].map((name) => ({ name, host: "127.0.0.1", tags: [] }));
    const plan = buildPlan({
      version: parsed.version,
      params: { min: "16.12.4" },
      secrets: [],
      devices,
      defaultTimeoutMs: 1,
      allowLocal: false,
    });
    if (!plan.ok) throw new Error(plan.errors.join("; "));
    const results: Record<string, string> = {};
    for (const key of plan.plan.order) {
      const checks = await evaluateGate(plan.plan.nodes.get(key)!, fleet, clock.now());
      results[key] = checks.map((c) => `${c.ok ? "ok" : "FAIL"} ${c.condition}: ${c.detail}`).join("; ");
    }
    expect(results).toEqual({
      up: "ok reachable: reachable",
      ports: "FAIL all ports up: down: Gi1/0/2",
      uplinks: "ok ports uplink* up: all up",
      fw: "FAIL firmware ≥ 16.12.4: running 16.9.8",
      "fw-old": "ok firmware ≥ 16.9 and ≤ 16.9.9: running 16.9.8",
      disks: expect.stringMatching(/^FAIL no failing drives: .*\(failed\)$/),
      never: "FAIL reachable: no data for core-sw2 yet",
      fresh: "FAIL reachable: data is stale (observed 2m ago, max 1m)",
    });
  });
});
