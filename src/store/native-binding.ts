import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

let cached: { path: string | undefined } | undefined;

/**
 * The path of better-sqlite3's compiled addon when it sits where `npm install` builds it, for
 * `new Database(path, { nativeBinding })`. Without it, better-sqlite3 asks the `bindings` package,
 * which probes a dozen candidate paths and reads its own stack trace on every process start (a few
 * ms of a cold `opsbot ask`). Undefined (let `bindings` search, as before) when the file is elsewhere.
 */
export function sqliteNativeBinding(): string | undefined {
  if (cached) return cached.path;
  let path: string | undefined;
  try {
    const main = createRequire(import.meta.url).resolve("better-sqlite3");
    const candidate = join(main, "..", "..", "build", "Release", "better_sqlite3.node");
    path = existsSync(candidate) ? candidate : undefined;
  } catch {
    path = undefined;
  }
  cached = { path };
  return path;
}
