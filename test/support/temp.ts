import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = "opsbot-test-", root = tmpdir()): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(root, prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
