import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { percentile, printTable } from "./stats.js";

/**
 * Wall time of `opsbot ask "help"` as a fresh process, the way a user or script runs it.
 * Target: under 400 ms. Run after `npm run build`: node dist/bench/cold-start.js [runs]
 */
const runs = Number(process.argv[2] ?? 20);
const cli = resolve("dist/src/cli.js");
const dir = mkdtempSync(join(tmpdir(), "opsbot-bench-"));
const times: number[] = [];
try {
  for (let i = 0; i < runs + 2; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [cli, "ask", "help"], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, OPSBOT_USER: "bench" },
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`opsbot ask help exited ${r.status}: ${r.stderr}`);
    if (i >= 2) times.push(ms); // the first runs warm the OS file cache
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const bare = spawnSync(process.execPath, ["-e", "0"]);
void bare;
const t0 = process.hrtime.bigint();
for (let i = 0; i < 5; i++) spawnSync(process.execPath, ["-e", "0"]);
const nodeOnly = Number(process.hrtime.bigint() - t0) / 1e6 / 5;
printTable('cold start: opsbot ask "help"', [
  ["runs", String(times.length)],
  ["p50", `${percentile(times, 50).toFixed(0)} ms`],
  ["p90", `${percentile(times, 90).toFixed(0)} ms`],
  ["max", `${Math.max(...times).toFixed(0)} ms`],
  ["bare `node -e 0` for reference", `${nodeOnly.toFixed(0)} ms`],
  ["target", "< 400 ms"],
]);
