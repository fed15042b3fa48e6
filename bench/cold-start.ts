import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { recordPoll } from "../src/management/record-poll.js";
import { createStateRepo } from "../src/management/state-repo.js";
import { openStore } from "../src/store/store.js";
import { loadNow, medianRange, percentile, printTable } from "./stats.js";
import { observation } from "./support/switch-observation.js";

/**
 * Wall time of one-shot `opsbot ask` calls as fresh processes, the way a user or script runs them,
 * divided by a bare `node -e 0` measured in the same rounds (which alternate the order): the part
 * of a cold start that is opsbot's own. `help` runs where there is no config (the bench of earlier
 * sessions); `links down` and `fleet` — the common real one-shot queries — run with an opsbot.yaml of
 * COLD_DEVICES switches and a cache holding two polls of each (48 ports). Target: help ≤ 2.5×.
 *   npm run bench -- cold-start     (BENCH_ROUNDS=5, BENCH_RUNS=5 per round and program, COLD_DEVICES=200)
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const DEVICES = Number(process.env.COLD_DEVICES ?? 200);
const cli = resolve("dist/src/cli.js");
const root = mkdtempSync(join(tmpdir(), "opsbot-bench-"));
const env = { ...process.env, OPSBOT_USER: "bench" };

/** A directory with an opsbot.yaml of `devices` switches and their cache, as after two poll rounds. */
function fleetDir(devices: number): string {
  const dir = join(root, "fleet");
  mkdirSync(dir);
  const names = Array.from({ length: devices }, (_, i) => `sw${String(i).padStart(4, "0")}`);
  writeFileSync(
    join(dir, "opsbot.yaml"),
    `devices:\n${names.map((n, i) => `  - { name: ${n}, host: 10.0.${i >> 8}.${i & 255}, site: site${i % 5}, tags: [access], snmp: { community: public } }`).join("\n")}\n`,
  );
  // The first ask registers the devices from the config; then two poll rounds through the poller's write path.
  wallMs(["ask", "help"], dir);
  const store = openStore(join(dir, "data", "opsbot.db"));
  const repo = createStateRepo(store);
  const now = Date.now();
  for (const round of [0, 1])
    store.tx(() => {
      for (const name of names)
        recordPoll(store, repo, observation(name, now - (1 - round) * 60_000, round, 48));
    });
  store.close();
  return dir;
}

function wallMs(args: string[], cwd: string, program: string[] = [cli]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...program, ...args], { cwd, encoding: "utf8", env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0)
    throw new Error(`node ${[...program, ...args].join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const empty = join(root, "empty");
mkdirSync(empty);
const fleet = fleetDir(DEVICES);
const programs: [string, () => number][] = [
  ["node -e 0", () => wallMs(["-e", "0"], empty, [])],
  ["opsbot ask help", () => wallMs(["ask", "help"], empty)],
  ["opsbot ask 'links down'", () => wallMs(["ask", "links down"], fleet)],
  ["opsbot ask fleet", () => wallMs(["ask", "fleet"], fleet)],
];
const median = (fn: () => number) => percentile(Array.from({ length: RUNS }, fn), 50);

const times = new Map<string, number[]>(programs.map(([name]) => [name, []]));
const loads = [loadNow()];
try {
  for (const [, run] of programs) run(); // the first runs warm the OS file cache
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of round % 2 === 0 ? programs : [...programs].reverse())
      times.get(name)!.push(median(run));
    loads.push(loadNow());
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
const node = times.get("node -e 0")!;
printTable(
  `cold start: one-shot opsbot ask vs node -e 0, ${ROUNDS} alternating rounds × ${RUNS} runs, median (range)`,
  [
    ...programs
      .slice(1)
      .map(([name]): [string, string] => [
        `ratio ${name} / node -e 0`,
        medianRange(times.get(name)!.map((o, i) => o / node[i]!)),
      ]),
    ...programs.map(([name]): [string, string] => [name, `${medianRange(times.get(name)!, 0)} ms`]),
    [`fleet for links down / fleet`, `${DEVICES} devices × 48 ports, 2 polls`],
    ...loads.map((l, i): [string, string] => [i === 0 ? "load before" : `load after round ${i}`, l]),
    ["target", "help ≤ 2.5× node -e 0"],
  ],
);
