import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RUNBOOK_SCHEMA_FILE, runbookJsonSchema } from "../../src/orchestration/runbooks/json-schema.js";

describe("runbook JSON Schema", () => {
  it("the committed runbooks/runbook.schema.json equals the one generated from the zod schema", () => {
    const committed = readFileSync(join(import.meta.dirname, "../..", RUNBOOK_SCHEMA_FILE), "utf8");
    // On failure: `opsbot runbook schema --write` regenerates it.
    expect(committed).toBe(runbookJsonSchema());
  });

  it("describes the step kinds and requires exactly one action per step", () => {
    const schema = JSON.parse(runbookJsonSchema());
    const step = schema.properties.steps.items;
    expect(Object.keys(step.properties)).toEqual(
      expect.arrayContaining([
        "id",
        "needs",
        "ssh",
        "local",
        "gate",
        "wait",
        "approval",
        "notify",
        "on_failure",
      ]),
    );
    expect(step.oneOf.map((o: { required: string[] }) => o.required[0])).toEqual([
      "ssh",
      "local",
      "gate",
      "wait",
      "approval",
      "notify",
    ]);
    expect(step.additionalProperties).toBe(false);
    expect(schema.properties.params.additionalProperties.properties.type.enum).toEqual([
      "string",
      "int",
      "bool",
      "enum",
      "device",
      "duration",
    ]);
  });
});
