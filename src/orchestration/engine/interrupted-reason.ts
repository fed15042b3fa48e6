import type { Plan } from "../plan.js";

/**
 * The run's status line when steps ended with an unknown outcome mid-run (their connection died):
 * what was lost, during which step (its position in the runbook, as people count them), and the two
 * ways on. `errorOf` gives a step's journaled error, e.g. "connection to web01 lost — outcome unknown
 * (no answer from …)"; its head before " — " names what was lost.
 *
 *   connection to web01 lost during step 3 (restart) — outcome unknown; Resume (needs approval) or Abort.
 */
export function interruptedReason(
  plan: Plan,
  keys: readonly string[],
  errorOf: (key: string) => string | null | undefined,
  needsApproval: boolean,
): string {
  const what = keys.map((key) => {
    const node = plan.nodes.get(key);
    const position = node === undefined ? "" : ` ${Math.floor(node.ordinal / 1_000_000) + 1}`;
    const head = errorOf(key)?.split(" — ")[0]?.trim() || "outcome lost";
    return `${head} during step${position} (${key})`;
  });
  const resume = needsApproval ? "Resume (needs approval)" : "Resume";
  return `${what.join("; ")} — outcome unknown; ${resume} or Abort.`;
}
