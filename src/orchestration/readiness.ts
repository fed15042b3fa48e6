import { resolvePins } from "../lib/ssh/pins.js";
import type { SshTarget } from "../lib/ssh/types.js";
import type { FleetView } from "./management-port.js";
import type { Plan, PlanNode } from "./plan.js";

/**
 * What a run will need, checked before anyone is asked to approve it: every device an ssh step reaches
 * has SSH settings and a usable pinned host key, and every device a gate reads has management data at
 * all. (Parameters are checked when the plan is built: every template is rendered there.) A plan that
 * fails here would fail at that step after the approvals, so the dry run and the request refuse it.
 */
export interface ReadinessDeps {
  sshTargetFor(device: string): SshTarget | undefined;
  fleet: FleetView;
}

export async function readinessProblems(plan: Plan, deps: ReadinessDeps): Promise<string[]> {
  // One line per problem, naming every step it stops: "steps install, reboot: device … has no ssh settings".
  const steps = new Map<string, string[]>();
  const add = (step: string, problem: string) => steps.set(problem, [...(steps.get(problem) ?? []), step]);
  const sshChecked = new Map<string, string | undefined>();
  const dataChecked = new Map<string, boolean>();
  for (const node of plan.nodes.values()) {
    const device = node.on?.name;
    if (device === undefined) continue;
    const step = node.rollbackOf ? `${node.key} (rollback)` : node.key;
    if (node.kind === "ssh") {
      if (!sshChecked.has(device)) sshChecked.set(device, await sshProblem(device, deps));
      const problem = sshChecked.get(device);
      if (problem) add(step, problem);
    }
    if (node.kind === "gate") {
      if (!dataChecked.has(device))
        dataChecked.set(device, (await deps.fleet.deviceReachable(device)) !== undefined);
      if (!dataChecked.get(device))
        add(
          step,
          `opsbot has no management data for ${device} (never polled), so the gate cannot pass; poll it first (\`refresh ${device}\`)`,
        );
    }
  }
  return [...steps].map(
    ([problem, keys]) => `${keys.length > 1 ? "steps" : "step"} ${keys.join(", ")}: ${problem}`,
  );
}

async function sshProblem(device: string, deps: ReadinessDeps): Promise<string | undefined> {
  let target: SshTarget | undefined;
  try {
    target = deps.sshTargetFor(device);
  } catch (err) {
    return `cannot reach ${device} over SSH: ${(err as Error).message}`;
  }
  if (!target)
    return `device ${device} has no ssh settings in the config (add devices[name=${device}].ssh: user, host_key, key_file)`;
  const pins = await resolvePins(target);
  if (pins.state === "unusable") return `SSH host key of ${device} is not usable: ${pins.reason}`;
  return undefined;
}

/**
 * Gates that run after a state-changing step (ssh, local) check the state that step leaves behind,
 * so evaluating them now says nothing: they are shown as "checked when reached".
 */
export function gatesAfterChanges(plan: Plan): Set<string> {
  const changes = (n: PlanNode) => n.kind === "ssh" || n.kind === "local";
  const memo = new Map<string, boolean>();
  const changedBefore = (key: string): boolean => {
    const known = memo.get(key);
    if (known !== undefined) return known;
    memo.set(key, false); // the graph is acyclic (validated); this guards anyway
    const node = plan.nodes.get(key)!;
    const before = node.rollbackOf ? [...node.deps, node.rollbackOf] : node.deps;
    const result = before.some((d) => changes(plan.nodes.get(d)!) || changedBefore(d));
    memo.set(key, result);
    return result;
  };
  return new Set(
    [...plan.nodes.values()].filter((n) => n.kind === "gate" && changedBefore(n.key)).map((n) => n.key),
  );
}
