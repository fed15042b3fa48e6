import type { ChannelRef } from "../src/lib/channel-scope.js";
import { UsageError } from "../src/lib/errors.js";
import type { OrchestrationService } from "../src/orchestration/service.js";
import type { Context } from "./services.js";

/**
 * Refuses (PermissionError, audited as denied) acting on a run of a channel-scoped runbook from a
 * channel outside its scope: typed commands and button clicks alike.
 */
export function checkRunChannel(
  o: OrchestrationService,
  runId: number,
  where: ChannelRef,
  what: string,
): void {
  const view = o.view(runId);
  if (view) o.access.checkChannel(o.runbook(view.run.runbook), where, what);
}

/** Run ids arrive as "12" or "#12". */
export function runIdOf(value: unknown): number {
  const n = Number(String(value ?? "").replace(/^#/, ""));
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`"${String(value)}" is not a run id; \`runs\` lists them.`);
  return n;
}

/**
 * Secret parameter values typed into chat must not survive in the audit log, logs or replies: teach
 * the shared redactor about them before anything else happens (the audit row is written after the
 * handler returns, through the same redactor).
 */
export function protectSecrets(
  ctx: Context,
  runbook: string | undefined,
  extra: Record<string, string>,
): void {
  const spec =
    runbook === undefined ? undefined : ctx.services.orchestration.runbook(runbook)?.runbook.params;
  for (const [name, value] of Object.entries(extra)) {
    if (spec?.[name]?.secret) ctx.services.redactor.add(value);
  }
}
