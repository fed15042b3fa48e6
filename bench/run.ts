import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `npm run bench [name…] [--flag value…]`: runs the compiled benchmarks (all but the on-demand soak, or those named) one
 * after another.
 * Each prints its own numbers. Benchmarks are never part of `npm test`.
 */
const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith(".js") && !["run.js", "stats.js"].includes(f))
  .map((f) => f.slice(0, -3))
  .sort();
/** Names come first; everything from the first `--flag` on is passed to each named benchmark. */
const args = process.argv.slice(2);
const firstFlag = args.findIndex((a) => a.startsWith("--"));
const wanted = firstFlag < 0 ? args : args.slice(0, firstFlag);
const passed = firstFlag < 0 ? [] : args.slice(firstFlag);
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  process.stderr.write(`Unknown benchmark ${unknown.join(", ")}. Available: ${available.join(", ")}\n`);
  process.exit(1);
}
/** Long runs (30 minutes by default): only when named. */
const ON_DEMAND = ["soak"];
for (const name of wanted.length > 0 ? wanted : available.filter((n) => !ON_DEMAND.includes(n))) {
  process.stdout.write(`\n=== bench ${name} ===\n`);
  const r = spawnSync(process.execPath, [join(here, `${name}.js`), ...passed], { stdio: "inherit" });
  if (r.status !== 0) process.exitCode = 1;
}
