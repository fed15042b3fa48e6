import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadNow, medianRange, percentile, printTable } from "./stats.js";

/**
 * Wall time of `opsbot ask "help"` as a fresh process, the way a user or script runs it, divided by
 * a bare `node -e 0` measured in the same rounds (which alternate which goes first): the part of a
 * cold start that is opsbot's own. Target: ≤ 2.5×.
 *   npm run bench -- cold-start     (BENCH_ROUNDS=5, BENCH_RUNS=5 per round and program)
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const cli = resolve("dist/src/cli.js");
const dir = mkdtempSync(join(tmpdir(), "opsbot-bench-"));
const env = { ...process.env, OPSBOT_USER: "bench" };

function wallMs(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8", env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const ask = () => wallMs([cli, "ask", "help"]);
const bare = () => wallMs(["-e", "0"]);
const median = (fn: () => number) => percentile(Array.from({ length: RUNS }, fn), 50);

const opsbot: number[] = [];
const node: number[] = [];
const loads = [loadNow()];
try {
  ask(); // the first runs warm the OS file cache
  bare();
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      opsbot.push(median(ask));
      node.push(median(bare));
    } else {
      node.push(median(bare));
      opsbot.push(median(ask));
    }
    loads.push(loadNow());
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
printTable(
  `cold start: opsbot ask "help" vs node -e 0, ${ROUNDS} alternating rounds × ${RUNS} runs, median (range)`,
  [
    ["ratio opsbot ask help / node -e 0", medianRange(opsbot.map((o, i) => o / node[i]!))],
    ["opsbot ask help", `${medianRange(opsbot, 0)} ms`],
    ["node -e 0", `${medianRange(node, 0)} ms`],
    ...loads.map((l, i): [string, string] => [i === 0 ? "load before" : `load after round ${i}`, l]),
    ["target", "≤ 2.5× node -e 0"],
  ],
);
