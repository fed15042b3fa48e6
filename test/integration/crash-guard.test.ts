import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/temp.js";

const GUARD = join(process.cwd(), "dist", "src", "cli", "crash-guard.js");
const dir = tempDir();

beforeAll(() => {
  if (!process.env.OPSBOT_SKIP_BUILD) execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
  expect(existsSync(GUARD)).toBe(true);
});
afterAll(() => dir.cleanup());

/** A real process with the guards installed, a registered stop, and one bug of the given kind. */
function crash(bug: string) {
  const stopped = join(dir.path, `stopped-${Math.random().toString(36).slice(2)}`);
  const script = `
    import { writeFileSync } from "node:fs";
    import { installCrashGuards, onFatalStop } from ${JSON.stringify(pathToFileURL(GUARD).href)};
    installCrashGuards();
    onFatalStop(async () => { writeFileSync(${JSON.stringify(stopped)}, "stopped"); });
    setInterval(() => {}, 1000); // a running bot keeps the loop alive
    ${bug}
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 20_000,
  });
  return { code: r.status, stderr: r.stderr, stopped: existsSync(stopped) && readFileSync(stopped, "utf8") };
}

describe("crash guard (real processes)", () => {
  it("an unhandled rejection is reported, the registered stop runs, and the exit code is 70", () => {
    const r = crash(`setTimeout(() => { Promise.reject(new Error("flush failed: SQLITE_FULL")); }, 10);`);
    expect(r.code).toBe(70);
    expect(r.stderr).toMatch(
      /opsbot: fatal: unhandled promise rejection \(a bug — please report it\): Error: flush failed: SQLITE_FULL/,
    );
    expect(r.stderr).toMatch(/opsbot: stopping…/);
    expect(r.stopped).toBe("stopped");
  });

  it("a throw from a timer is reported the same way", () => {
    const r = crash(`setTimeout(() => { throw new TypeError("The database connection is not open"); }, 10);`);
    expect(r.code).toBe(70);
    expect(r.stderr).toMatch(/fatal: uncaught exception .*TypeError: The database connection is not open/);
    expect(r.stopped).toBe("stopped");
  });
});
