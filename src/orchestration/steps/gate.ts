import type { Clock } from "../../lib/clock.js";
import { formatAge, parseDuration } from "../../lib/clock.js";
import { compareVersions } from "../../lib/versions.js";
import type { FleetView, Observed } from "../management-port.js";
import type { PlanNode } from "../plan.js";
import type { StepExecutor } from "./types.js";

/**
 * Gates read management state through the fleet view and pass only on fresh, positive evidence:
 * missing data or data older than `max_age` fails the gate (fail closed). The same evaluation backs
 * the dry run ("gates evaluated now").
 */
export const DEFAULT_GATE_MAX_AGE = "15m";

export interface GateCheck {
  condition: string;
  ok: boolean;
  detail: string;
}

export async function evaluateGate(node: PlanNode, fleet: FleetView, now: number): Promise<GateCheck[]> {
  const g = node.step.gate!;
  const device = node.on?.name ?? "?";
  const maxAge = parseDuration(g.max_age ?? DEFAULT_GATE_MAX_AGE) ?? 900_000;
  const checks: GateCheck[] = [];
  const fresh = <T>(condition: string, o: Observed<T> | undefined): o is Observed<T> => {
    if (!o) {
      checks.push({ condition, ok: false, detail: `no data for ${device} yet` });
      return false;
    }
    if (now - o.at > maxAge) {
      checks.push({
        condition,
        ok: false,
        detail: `data is stale (observed ${formatAge(now - o.at)}, max ${g.max_age ?? DEFAULT_GATE_MAX_AGE})`,
      });
      return false;
    }
    return true;
  };
  if (g.reachable) {
    const o = await fleet.deviceReachable(device);
    if (fresh("reachable", o))
      checks.push({ condition: "reachable", ok: o.value, detail: o.value ? "reachable" : "unreachable" });
  }
  if (g.ports_up !== undefined) {
    const glob = g.ports_up === true ? undefined : g.ports_up;
    const label = glob ? `ports ${glob} up` : "all ports up";
    const o = await fleet.portsDown(device, glob);
    if (fresh(label, o)) {
      const down = o.value.map((p) => p.name);
      checks.push({
        condition: label,
        ok: down.length === 0,
        detail: down.length ? `down: ${down.join(", ")}` : "all up",
      });
    }
  }
  if (g.no_failing_drives) {
    const o = await fleet.failingDrives(device);
    if (fresh("no failing drives", o)) {
      const bad = o.value.map((d) => `${d.name} (${d.status})`);
      checks.push({
        condition: "no failing drives",
        ok: bad.length === 0,
        detail: bad.length ? bad.join(", ") : "all drives ok",
      });
    }
  }
  if (g.firmware) {
    // Bounds come from the plan, where placeholders such as {{ params.version }} are filled in.
    const { atLeast, atMost } = node.firmware ?? {};
    const label = [atLeast && `≥ ${atLeast}`, atMost && `≤ ${atMost}`].filter(Boolean).join(" and ");
    const o = await fleet.firmwareVersion(device);
    if (fresh(`firmware ${label}`, o)) {
      const v = o.value;
      // The same vendor-aware order as firmware compliance; a version it cannot read fails closed.
      const low = atLeast === undefined ? 0 : compareVersions(v, atLeast);
      const high = atMost === undefined ? 0 : compareVersions(v, atMost);
      const readable = low !== undefined && high !== undefined;
      const ok = readable && low >= 0 && high <= 0;
      checks.push({
        condition: `firmware ${label}`,
        ok,
        detail: readable ? `running ${v}` : `running "${v}", which is not a version it can compare`,
      });
    }
  }
  return checks;
}

export function createGateExecutor(deps: { fleet: FleetView; clock: Clock }): StepExecutor {
  return async (ctx) => {
    let checks: GateCheck[];
    try {
      checks = await evaluateGate(ctx.node, deps.fleet, deps.clock.now());
    } catch (err) {
      return { status: "failed", error: `cannot read management state: ${(err as Error).message}` };
    }
    for (const c of checks) ctx.output(`${c.ok ? "ok  " : "FAIL"} ${c.condition}: ${c.detail}\n`, "stdout");
    const failed = checks.filter((c) => !c.ok);
    if (ctx.signal.aborted) return { status: "cancelled" };
    return failed.length === 0
      ? { status: "succeeded" }
      : { status: "failed", error: `gate: ${failed.map((c) => `${c.condition} (${c.detail})`).join("; ")}` };
  };
}
