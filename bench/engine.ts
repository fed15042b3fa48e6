import {
  closeSync,
  fdatasyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../src/lib/clock.js";
import { silentLogger } from "../src/lib/logger.js";
import { Redactor } from "../src/lib/redact.js";
import { createEngine } from "../src/orchestration/engine/engine.js";
import { createJournal } from "../src/orchestration/journal.js";
import { createOutputPipe, createOutputWriter } from "../src/orchestration/output.js";
import { createRunbookCatalog } from "../src/orchestration/runbooks/catalog.js";
import { createLocalExecutor } from "../src/orchestration/steps/local.js";
import type { Executors, StepExecutor } from "../src/orchestration/steps/types.js";
import { openStore } from "../src/store/store.js";
import { loadNow, medianRange, percentile, printTable } from "./stats.js";

/**
 * Run engine costs, on a real SQLite file with synchronous=FULL journal writes:
 *   1. overhead per step with no-op steps (decide + "started" + "finished", both durable) — target ≤ 2 ms;
 *   2. a 100-step graph of 20 parallel branches, with no-op steps and with 10 ms steps;
 *   3. output journaling: lines/s through redaction, batching and the store, and a paced 10,000 lines/s
 *      stream from a real process.
 * Run after `npm run build`: node dist/bench/engine.js
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const dir = mkdtempSync(join(tmpdir(), "opsbot-bench-engine-"));
const runbookDir = join(dir, "runbooks");
const user = { id: "U1", name: "bench", roles: ["ops"] };
const noop: StepExecutor = async () => ({ status: "succeeded" });
const sleepy: StepExecutor = () => new Promise((r) => setTimeout(() => r({ status: "succeeded" }), 10));

function setup(executors: Executors, runbooks: Record<string, string>) {
  const store = openStore(join(dir, `bench-${Math.random().toString(36).slice(2)}.db`));
  const journal = createJournal({ store, clock: systemClock });
  writeRunbooks(runbooks);
  const catalog = createRunbookCatalog({ dir: runbookDir, saveVersion: (v) => journal.saveVersion(v) });
  const engine = createEngine({
    store,
    clock: systemClock,
    logger: silentLogger(),
    redactor: new Redactor(["bench-secret-1", "bench-secret-2", "another-configured-secret"]),
    runbook: (name) => catalog.get(name),
    devices: () => [],
    executors,
    sleep: async () => {},
    settings: {
      defaultStepTimeoutMs: 60_000,
      approvalExpiresInMs: 60_000,
      allowLocal: true,
      outputCapBytes: 64 * 1024 * 1024,
      outputFlushMs: 50,
    },
  });
  return { store, engine, close: () => store.close() };
}

function writeRunbooks(runbooks: Record<string, string>): void {
  rmSync(runbookDir, { recursive: true, force: true });
  mkdirSync(runbookDir, { recursive: true });
  for (const [name, text] of Object.entries(runbooks)) writeFileSync(join(runbookDir, `${name}.yaml`), text);
}

function chain(name: string, n: number): string {
  const steps = Array.from({ length: n }, (_, i) =>
    i === 0 ? `  - { id: s${i}, wait: 0s }` : `  - { id: s${i}, needs: [s${i - 1}], wait: 0s }`,
  );
  return `name: ${name}\nrunners: [role:ops]\nsteps:\n${steps.join("\n")}\n`;
}

function branches(name: string, width: number, depth: number): string {
  const steps: string[] = [];
  for (let b = 0; b < width; b++) {
    for (let d = 0; d < depth; d++) {
      steps.push(
        d === 0
          ? `  - { id: b${b}-s${d}, wait: 0s }`
          : `  - { id: b${b}-s${d}, needs: [b${b}-s${d - 1}], wait: 0s }`,
      );
    }
  }
  return `name: ${name}\nrunners: [role:ops]\nsteps:\n${steps.join("\n")}\n`;
}

async function timeRun(engine: ReturnType<typeof setup>["engine"], runbook: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = engine.request({ runbook, params: {}, user, channel: "bench" });
  await engine.idle();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const status = engine.journal.getRun(r.run.id)?.status;
  if (status !== "succeeded") throw new Error(`bench run ${runbook} ended ${status}`);
  return ms;
}

const all = (e: StepExecutor): Executors => ({ ssh: e, local: e, gate: e, wait: e, notify: e });

/** One small write + fdatasync on a file in the same directory: the physical floor of a durable step. */
function bareFdatasyncMs(samples: number): number {
  const fd = openSync(join(dir, "bare-fsync.bin"), "w");
  const block = Buffer.alloc(4096, 1); // one SQLite page
  const times: number[] = [];
  try {
    // Preallocated, like a WAL file being reused after a checkpoint: the loop only overwrites.
    for (let i = 0; i < 256; i++) writeSync(fd, block, 0, block.length, i * 4096);
    fdatasyncSync(fd);
    for (let i = 0; i < samples; i++) {
      const t0 = process.hrtime.bigint();
      writeSync(fd, block, 0, block.length, (i % 256) * 4096);
      fdatasyncSync(fd);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  } finally {
    closeSync(fd);
  }
  return percentile(times, 50);
}

async function perStepOverhead(): Promise<void> {
  // Marginal cost per step = slope between a short and a long chain, so the fixed per-run cost
  // (request, approval, start and finish commits) is not smeared over the steps. Each round measures
  // the slope and the bare write+fdatasync floor back to back (alternating which goes first).
  const s = setup(all(noop), { chain20: chain("chain20", 20), chain100: chain("chain100", 100) });
  await timeRun(s.engine, "chain20");
  await timeRun(s.engine, "chain100");
  const perStep: number[] = [];
  const bare: number[] = [];
  const loads = [loadNow()];
  for (let round = 0; round < ROUNDS; round++) {
    const slope = async () => {
      const short: number[] = [];
      const long: number[] = [];
      for (let i = 0; i < 3; i++) {
        short.push(await timeRun(s.engine, "chain20"));
        long.push(await timeRun(s.engine, "chain100"));
      }
      perStep.push((percentile(long, 50) - percentile(short, 50)) / 80);
    };
    if (round % 2 === 0) {
      await slope();
      bare.push(bareFdatasyncMs(100));
    } else {
      bare.push(bareFdatasyncMs(100));
      await slope();
    }
    loads.push(loadNow());
  }
  s.close();
  printTable(`engine overhead per step (no-op steps), ${ROUNDS} alternating rounds, median (range)`, [
    ["per step (slope 20 → 100 steps)", `${medianRange(perStep, 3)} ms`],
    ["bare write+fdatasync, same file system (p50)", `${medianRange(bare, 3)} ms`],
    ["ratio per step / bare fdatasync", medianRange(perStep.map((x, i) => x / bare[i]!))],
    ...loads.map((l, i): [string, string] => [i === 0 ? "load before" : `load after round ${i}`, l]),
    ["target", "≤ 1.5× one bare write+fdatasync"],
  ]);
}

async function parallelGraph(): Promise<void> {
  const rows: [string, string][] = [];
  for (const [label, exec] of [
    ["no-op steps", noop],
    ["10 ms steps", sleepy],
  ] as const) {
    const s = setup(all(exec), { wide: branches("wide", 20, 5) });
    await timeRun(s.engine, "wide");
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push(await timeRun(s.engine, "wide"));
    rows.push([`100 steps, 20 branches × 5, ${label}: wall p50`, `${percentile(times, 50).toFixed(1)} ms`]);
    s.close();
  }
  rows.push(["ideal for 10 ms steps (5 in a row)", "50 ms + overhead"]);
  printTable("100-step graph with 20 parallel branches", rows);
}

async function outputThroughput(): Promise<void> {
  const rows: [string, string][] = [];
  // (a) The output path alone: redaction on whole lines, 50 ms batches, one transaction per batch.
  {
    const store = openStore(join(dir, "output.db"));
    const journal = createJournal({ store, clock: systemClock, outputCapBytes: 256 * 1024 * 1024 });
    journal.saveVersion({ hash: "h", name: "out", file: "out.yaml", content: "x" });
    const runId = journal.createRun(
      {
        runbook: "out",
        runbookHash: "h",
        params: {},
        secretParams: [],
        targets: [],
        locks: [],
        requestedBy: "U1",
        requestedByName: "bench",
        channel: "bench",
      },
      [{ key: "s", stepId: "s", name: "s", kind: "local", target: null, ordinal: 0 }],
    );
    const writer = createOutputWriter(journal, { flushMs: 50 });
    const redactor = new Redactor(["bench-secret-1", "bench-secret-2", "another-configured-secret"]);
    const pipe = createOutputPipe(redactor, (text, stream) =>
      writer.push({ runId, stepKey: "s", attempt: 1, stream, text }),
    );
    const lines = 200_000;
    const t0 = process.hrtime.bigint();
    // Arrives in 4 KiB reads, like a pipe.
    let buf = "";
    for (let i = 0; i < lines; i++) {
      buf += `2026-01-01T12:00:00Z worker[${i % 16}] processed item ${i} in 3ms status=ok\n`;
      if (buf.length >= 4096) {
        pipe.write(buf, "stdout");
        buf = "";
      }
    }
    pipe.write(buf, "stdout");
    pipe.flush(true);
    writer.flush();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const stored = (
      store.db
        .prepare("SELECT SUM(length(text) - length(replace(text, char(10), ''))) AS n FROM run_output")
        .get() as {
        n: number;
      }
    ).n;
    rows.push([
      "output path, 200k lines as fast as possible",
      `${Math.round(lines / s).toLocaleString("en")} lines/s`,
    ]);
    rows.push(["lines stored", `${stored.toLocaleString("en")} of ${lines.toLocaleString("en")}`]);
    store.close();
  }
  // (b) A real process printing 10,000 lines/s for 3 s through the whole engine (local step).
  {
    const local = createLocalExecutor();
    const paced = `name: paced
runners: [role:ops]
steps:
  - id: print
    local: { command: "i=0; while [ $i -lt 30 ]; do seq -f 'line %g of a paced burst of output' 1 1000; i=$((i+1)); sleep 0.1; done" }
`;
    const s = setup({ ...all(noop), local }, { paced });
    const t0 = process.hrtime.bigint();
    const r = s.engine.request({ runbook: "paced", params: {}, user, channel: "bench" });
    await s.engine.idle();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const n = (
      s.store.db
        .prepare(
          "SELECT SUM(length(text) - length(replace(text, char(10), ''))) AS n FROM run_output WHERE run_id = ?",
        )
        .get(r.run.id) as { n: number }
    ).n;
    rows.push([
      "paced 10,000 lines/s × 3 s from a real process: stored",
      `${n.toLocaleString("en")} of 30,000 lines`,
    ]);
    rows.push(["…wall time (≈3 s of printing + sleeps)", `${(ms / 1000).toFixed(2)} s`]);
    s.close();
  }
  rows.push(["target", "keep up with 10,000 lines/s, no line lost"]);
  printTable("journal throughput for output chunks", rows);
}

try {
  await perStepOverhead();
  if (process.env.BENCH_STEP_ONLY !== "1") {
    await parallelGraph();
    await outputThroughput();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
