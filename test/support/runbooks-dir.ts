import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./temp.js";

/**
 * A temporary directory with a `runbooks/` folder holding the given files (name → YAML), and the
 * `orchestration:` config line that points at it. Cleanup removes both.
 */
export function runbooksDir(
  files: Record<string, string>,
  options: { allowLocal?: boolean } = {},
): { path: string; runbooks: string; orchestrationYaml: string; cleanup: () => void } {
  const dir = tempDir();
  const runbooks = join(dir.path, "runbooks");
  mkdirSync(runbooks);
  for (const [name, yaml] of Object.entries(files)) writeFileSync(join(runbooks, `${name}.yaml`), yaml);
  const local = options.allowLocal ? ", allow_local: true" : "";
  return {
    path: dir.path,
    runbooks,
    orchestrationYaml: `orchestration: { runbooks_dir: ${JSON.stringify(runbooks)}${local}, watch: false }`,
    cleanup: dir.cleanup,
  };
}
