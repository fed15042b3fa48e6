import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type Store } from "../../src/store/store.js";

/** A real SQLite file in a fresh temp dir, migrated; `cleanup` closes it and removes the dir. */
export function tempStore(options: { busyTimeoutMs?: number } = {}): {
  store: Store;
  dir: string;
  path: string;
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), "opsbot-orch-"));
  const path = join(dir, "opsbot.db");
  const store = openStore(path, options);
  return {
    store,
    dir,
    path,
    cleanup: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
