import { UsageError } from "../src/lib/errors.js";
import type { Context } from "./services.js";

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
