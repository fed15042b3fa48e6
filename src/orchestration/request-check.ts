import { suggest } from "../chat/suggest.js";
import { NotFoundError, OpsbotError } from "../lib/errors.js";
import type { OrchestrationService } from "./service.js";

/**
 * Whether `run RUNBOOK k=v …` would be accepted now as far as the runbook goes: it exists in the
 * catalog (as last reloaded), and its own parameter and plan checks pass — the same `preview` that
 * `run` calls, never a copy of it. Who may run it, and where, is not decided here: that is the click's,
 * from the Slack payload and the store.
 */
export type RequestCheck =
  | { ok: true }
  | { ok: false; unknownRunbook: true; didYouMean: string[] }
  | { ok: false; unknownRunbook: false; problems: string[] };

export function checkRequest(
  orchestration: Pick<OrchestrationService, "preview" | "runbook" | "runbooks">,
  runbook: string,
  params: Record<string, string>,
): RequestCheck {
  const unknown = (): RequestCheck => ({
    ok: false,
    unknownRunbook: true,
    didYouMean: suggest(
      runbook,
      orchestration.runbooks().map((v) => v.name),
    ),
  });
  if (!orchestration.runbook(runbook)) return unknown();
  try {
    orchestration.preview(runbook, params);
    return { ok: true };
  } catch (err) {
    // Removed by a reload between the two reads.
    if (err instanceof NotFoundError) return unknown();
    if (err instanceof OpsbotError)
      return {
        ok: false,
        unknownRunbook: false,
        problems: err.details.length > 0 ? err.details : [err.message],
      };
    throw err;
  }
}
