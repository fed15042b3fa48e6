import type { CommandContext } from "../src/chat/command.js";
import { OpsbotError, UsageError } from "../src/lib/errors.js";
import type { OrchestrationService } from "../src/orchestration/service.js";

/** The orchestration service, or a clear sentence when this bot runs without it. */
export function orchestrationOf(ctx: CommandContext): OrchestrationService {
  const o = ctx.services.orchestration;
  if (!o) throw new OpsbotError("UNAVAILABLE", "Runbooks are not enabled on this opsbot.");
  return o;
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
  ctx: CommandContext,
  runbook: string | undefined,
  extra: Record<string, string>,
): void {
  const spec =
    runbook === undefined ? undefined : ctx.services.orchestration?.runbook(runbook)?.runbook.params;
  for (const [name, value] of Object.entries(extra)) {
    if (spec?.[name]?.secret) ctx.services.redactor.add(value);
  }
}
