import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseRunbook } from "../../src/orchestration/runbooks/parse.js";
import { formatProblem } from "../../src/orchestration/runbooks/problems.js";

const dir = join(import.meta.dirname, "../fixtures/runbooks");
const load = (name: string) => parseRunbook(readFileSync(join(dir, name), "utf8"), `runbooks/${name}`);
const problems = (name: string) => {
  const r = load(name);
  if (r.ok) throw new Error(`${name} unexpectedly valid`);
  return r.problems.map(formatProblem);
};

describe("runbook parsing", () => {
  it("accepts a valid runbook, applies defaults and hashes the exact content", () => {
    const r = load("valid-restart.yaml");
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join("\n"));
    expect(r.version.name).toBe("restart-service");
    expect(r.version.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.version.runbook.min_approvals).toBe(1);
    expect(r.version.runbook.allow_self).toBe(false);
    expect(r.version.runbook.steps[1]).toMatchObject({
      id: "check",
      idempotent: true,
      retries: 3,
      needs: ["restart"],
    });
    const again = parseRunbook(`${r.version.content}\n`, "x.yaml");
    expect(again.ok && again.version.hash).not.toBe(r.version.hash);
  });

  it("reports YAML syntax errors with file and line", () => {
    // Inline rather than a fixture file: the repo's formatter refuses to check unparsable YAML.
    const r = parseRunbook(
      'name: broken\nsteps:\n  - id: a\n    ssh: { command: "echo hi"\n  - id: b\n',
      "runbooks/bad.yaml",
    );
    expect(r.ok).toBe(false);
    const p = r.ok ? [] : r.problems.map(formatProblem);
    expect(p.length).toBeGreaterThan(0);
    expect(p[0]).toMatch(/^runbooks\/bad\.yaml:[45]:\d+: YAML: /);
  });

  it("reports every schema error with its line, field and what is expected", () => {
    expect(problems("bad-schema.yaml")).toEqual([
      "runbooks/bad-schema.yaml:1:7: name: lowercase letters, digits, '_' or '-', starting with a letter",
      'runbooks/bad-schema.yaml:3:18: params.count.type: expected one of: "string", "int", "bool", "enum", "device", "duration"',
      'runbooks/bad-schema.yaml:7:5: steps[0].colour: unknown field "colour"',
      "runbooks/bad-schema.yaml:9:11: steps[1].wait: a duration such as 30s, 5m or 1h30m",
      "runbooks/bad-schema.yaml:10:5: steps[2].id: required field is missing (expected string)",
    ]);
  });

  it("validates the step graph: duplicates, unknown needs, cycles, retries without idempotence, two actions", () => {
    expect(problems("bad-graph.yaml")).toEqual([
      "runbooks/bad-graph.yaml:15:14: steps[4].retries: retries are allowed only on steps marked idempotent: true",
      "runbooks/bad-graph.yaml:19:13: steps[5].notify: a step has exactly one action; this one also has wait",
      'runbooks/bad-graph.yaml:12:9: steps[3].id: duplicate step id "a" (also steps[0])',
      'runbooks/bad-graph.yaml:7:16: steps[1].needs[1]: unknown step "nope" (expected one of: a, b, c, d, e)',
      "runbooks/bad-graph.yaml:4:13: steps[0].needs[0]: dependency cycle: a → c → b → a",
    ]);
  });

  it("refuses unsafe or unknown placeholders", () => {
    const p = problems("bad-templates.yaml").join("\n");
    expect(p).toContain('targets[0]: secret parameter "token" cannot be used here');
    expect(p).toMatch(/steps\[0\]\.ssh\.command: \{\{ params\.x \}\} is inside quotes/);
    expect(p).toMatch(/steps\[1\]\.ssh\.command: \{\{ params\.x \}\} is inside quotes/);
    expect(p).toContain("steps[2].ssh.command: unknown placeholder {{ env.HOME }}");
    expect(p).toContain('steps[2].ssh.command: unknown parameter "y" (expected one of: x, token)');
    expect(p).toMatch(/steps\[3\]\.ssh\.command: .*here-document/);
    expect(p).toMatch(/steps\[4\]\.ssh\.command: .*backslash/);
  });

  it("rejects a document that is not a mapping", () => {
    const r = parseRunbook("- just\n- a list\n", "x.yaml");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]?.message).toContain("expected a mapping");
  });
});
