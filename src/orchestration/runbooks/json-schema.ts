import * as z from "zod";
import { runbookSchema } from "./schema.js";

/**
 * The JSON Schema editors use (`runbooks/runbook.schema.json`), generated from the zod schema so the
 * two never drift; a test fails when the committed file is stale (`opsbot runbook schema --write`).
 */
export const RUNBOOK_SCHEMA_FILE = "runbooks/runbook.schema.json";

export function runbookJsonSchema(): string {
  const schema = z.toJSONSchema(runbookSchema(), { io: "input", unrepresentable: "any" });
  const out = {
    ...schema,
    $id: "https://opsbot.dev/runbook.schema.json",
    title: "opsbot runbook",
    description: "A process opsbot runs: typed parameters, targets, approval policy, lock and a step graph.",
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
