import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/lib/clock.js";
import { createJournal } from "../../src/orchestration/journal.js";
import { createRunbookCatalog, validateRunbookFiles } from "../../src/orchestration/runbooks/catalog.js";
import { formatProblem } from "../../src/orchestration/runbooks/problems.js";
import { tempStore } from "../support/orch-store.js";
import { waitFor } from "../support/orch-wait.js";

const runbook = (msg: string) => `name: hello\nsteps:\n  - id: say\n    notify: { message: "${msg}" }\n
runners: [role:ops]`;

describe("runbook catalog", () => {
  let dir: string;
  let t: ReturnType<typeof tempStore>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "opsbot-runbooks-"));
    t = tempStore();
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    t.cleanup();
  });

  it("hot-reloads changes, keeps the last valid version while a file is broken, stores every version", async () => {
    const journal = createJournal({ store: t.store, clock: new ManualClock() });
    writeFileSync(join(dir, "hello.yaml"), runbook("v1"));
    const catalog = createRunbookCatalog({
      dir,
      watch: true,
      debounceMs: 50,
      saveVersion: (v) => journal.saveVersion(v),
    });
    try {
      const v1 = catalog.get("hello")!;
      expect(v1.runbook.steps[0]?.notify?.message).toBe("v1");

      writeFileSync(
        join(dir, "hello.yaml"),
        "name: hello\nsteps:\n  - id: say\n    wiat: 5s\nrunners: [role:ops]\n",
      );
      const problems = await waitFor(() => (catalog.problems().length ? catalog.problems() : undefined));
      expect(problems.map(formatProblem)).toContain(
        `${join(dir, "hello.yaml")}:4:5: steps[0].wiat: unknown field "wiat"`,
      );
      expect(catalog.get("hello")?.hash).toBe(v1.hash);

      writeFileSync(join(dir, "hello.yaml"), runbook("v2"));
      const v2 = await waitFor(() =>
        catalog.get("hello")?.hash !== v1.hash ? catalog.get("hello") : undefined,
      );
      expect(v2.runbook.steps[0]?.notify?.message).toBe("v2");
      expect(catalog.problems()).toEqual([]);
      expect(journal.getVersion(v1.hash)?.content).toBe(runbook("v1"));
      expect(journal.getVersion(v2.hash)?.content).toBe(runbook("v2"));

      unlinkSync(join(dir, "hello.yaml"));
      await waitFor(() => catalog.get("hello") === undefined);
      expect(journal.getVersion(v2.hash)).toBeDefined();
    } finally {
      catalog.close();
    }
  });

  it("reports a name used by two files and ignores the second", () => {
    writeFileSync(join(dir, "a.yaml"), runbook("a"));
    writeFileSync(join(dir, "b.yml"), runbook("b"));
    const catalog = createRunbookCatalog({ dir });
    expect(catalog.list().map((v) => v.file)).toEqual([join(dir, "a.yaml")]);
    expect(catalog.problems()[0]?.message).toContain('runbook name "hello" is already used by');
    catalog.close();
  });

  it("validateRunbookFiles lists every error of every file", () => {
    writeFileSync(join(dir, "ok.yaml"), runbook("fine"));
    writeFileSync(join(dir, "bad.yaml"), "name: Bad\nsteps: []\nrunners: [role:ops]\n");
    const r = validateRunbookFiles([join(dir, "ok.yaml"), join(dir, "bad.yaml"), join(dir, "missing.yaml")]);
    expect(r.versions.map((v) => v.name)).toEqual(["hello"]);
    expect(r.problems.map(formatProblem)).toEqual([
      `${join(dir, "bad.yaml")}:1:7: name: lowercase letters, digits, '_' or '-', starting with a letter`,
      `${join(dir, "bad.yaml")}:2:8: steps: a runbook needs at least one step`,
      expect.stringContaining(`${join(dir, "missing.yaml")}: cannot read: ENOENT`),
    ]);
  });
});
