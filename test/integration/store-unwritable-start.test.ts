import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/store.js";
import { buildCli, CLI, cliEnv } from "../support/cli-process.js";
import { tempDir } from "../support/temp.js";

/**
 * `opsbot start` on a database it cannot write names the path and the reason, not SQLite's "attempt to
 * write a readonly database". The tests run as root here, and chmod does not stop root: the read-only
 * case is a real read-only bind mount in a private mount namespace (`unshare -m`, or `unshare -rm` as
 * an unprivileged user). Where no mount namespace can be made, a non-root run uses a directory without
 * write permission instead, and root falls back to the second case only (a -wal path SQLite cannot
 * create), which needs no privilege at all.
 */
const dirs: { cleanup(): void }[] = [];
beforeAll(() => buildCli(), 120_000);
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup();
});

function existingDatabase(): { dir: string; db: string } {
  const d = tempDir();
  dirs.push(d);
  const dir = join(d.path, "state");
  mkdirSync(dir);
  const db = join(dir, "opsbot.db");
  openStore(db).close(); // a real, migrated database in WAL mode
  return { dir, db };
}

const root = process.getuid?.() === 0;
const namespace = (() => {
  for (const flags of root ? ["-m", "-rm"] : ["-rm"]) {
    if (spawnSync("unshare", [flags, "true"]).status === 0) return flags;
  }
  return undefined;
})();

function start(cwd: string, db: string, roMount?: string) {
  const env = cliEnv(cwd, { OPSBOT_DB: db });
  const args = roMount
    ? [
        namespace!,
        "sh",
        "-c",
        'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"',
        "sh",
        roMount,
        process.execPath,
        CLI,
        "start",
      ]
    : undefined;
  const r = args
    ? spawnSync("unshare", args, { cwd, env, encoding: "utf8", input: "", timeout: 60_000 })
    : spawnSync(process.execPath, [CLI, "start"], { cwd, env, encoding: "utf8", input: "", timeout: 60_000 });
  return { code: r.status, stderr: r.stderr };
}

describe("a database opsbot cannot write, at start", () => {
  it("on a read-only file system (or a directory without write permission): names the path and why", () => {
    const { dir, db } = existingDatabase();
    if (namespace) {
      const r = start(dir, db, dir);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`Cannot write ${db}: ${dir} is on a read-only file system`);
      expect(r.stderr).not.toMatch(/attempt to write a readonly database/);
    } else if (!root) {
      rmSync(`${db}-wal`, { force: true });
      rmSync(`${db}-shm`, { force: true });
      chmodSync(dir, 0o555);
      const r = start(dir, db);
      chmodSync(dir, 0o755);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(
        new RegExp(`Cannot write ${db}: the directory ${dir} is not writable by uid \\d+`),
      );
    } else {
      // Root without mount namespaces: only the case below can be made.
      expect(root).toBe(true);
    }
  });

  it("where SQLite cannot create the -wal file: names that path", () => {
    const { dir, db } = existingDatabase();
    rmSync(`${db}-wal`, { force: true });
    mkdirSync(`${db}-wal`); // something that is not a file holds the write-ahead log's name
    const r = start(dir, db);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`Cannot write ${db}: ${db}-wal exists but is not a file`);
    expect(r.stderr).not.toMatch(/attempt to write a readonly database/);
  });
});
