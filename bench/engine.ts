import {
  closeSync,
  fdatasyncSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../src/lib/clock.js";
import { silentLogger } from "../src/lib/logger.js";
import { Redactor } from "../src/lib/redact.js";
import { createEngine } from "../src/orchestration/engine/engine.js";
import { createJournal, type NewRun } from "../src/orchestration/journal.js";
import { createOutputPipe, createOutputWriter } from "../src/orchestration/output.js";
import { createRunbookCatalog } from "../src/orchestration/runbooks/catalog.js";
import { createLocalExecutor } from "../src/orchestration/steps/local.js";
import type { Executors, StepExecutor } from "../src/orchestration/steps/types.js";
import { openStore } from "../src/store/store.js";
import { loadNow, medianRange, percentile, printTable } from "./stats.js";

/**
 * Run engine costs, on a real SQLite file with synchronous=FULL journal writes:
 *   1. overhead per step with no-op steps (decide, "started" durable before the action, the outcome),
 *      divided by its physical floor measured in the same rounds: the engine's own number of durable
 *      commits per step (at least 1), each an append of the WAL frames it writes per step (at least 2:
 *      the step row and its journal entry) and an fdatasync, on the same file system — target ≤ 1.5×;
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

/** CPU time (user + system, and system alone) of the last timeRun, in ms. */
let lastRunCpuMs = 0;
let lastRunSysMs = 0;

async function timeRun(engine: ReturnType<typeof setup>["engine"], runbook: string): Promise<number> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const r = engine.request({ runbook, params: {}, user, channel: "bench" });
  await engine.idle();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  lastRunCpuMs = (cpu.user + cpu.system) / 1000;
  lastRunSysMs = cpu.system / 1000;
  const status = engine.journal.getRun(r.run.id)?.status;
  if (status !== "succeeded") throw new Error(`bench run ${runbook} ended ${status}`);
  return ms;
}

const all = (e: StepExecutor): Executors => ({ ssh: e, local: e, gate: e, wait: e, notify: e });

/** Bytes SQLite appends to the WAL per page it commits: a 24-byte frame header + the page. */
const WAL_FRAME = 24 + 4096;

/**
 * The physical floor of the durable writes a step needs, on the same file system: `frames` WAL-sized
 * frames written in one append and one fdatasync, `commits` times, to a preallocated file reused from
 * its start like a WAL after a checkpoint. Returns ms per step (median of `steps` samples) and the CPU
 * (kernel time, mostly) those writes cost per step. `sync: "fsync"` is what SQLite as built here calls
 * (it has no HAVE_FDATASYNC: fsync also writes the file's changed mtime) — shown for reference only.
 */
function createFloor(steps: { frames: number; commits: number }, sync: "fdatasync" | "fsync" = "fdatasync") {
  const name = sync === "fsync" ? "floor-fsync.bin" : "floor-wal.bin";
  const fd = openSync(join(dir, name), "w");
  const flush = sync === "fsync" ? fsyncSync : fdatasyncSync;
  const size = 1000 * WAL_FRAME; // SQLite's default auto-checkpoint size
  const chunk = Buffer.alloc(Math.max(1, Math.round(steps.frames / steps.commits)) * WAL_FRAME, 1);
  writeSync(fd, Buffer.alloc(size, 0), 0, size, 0);
  fdatasyncSync(fd);
  let offset = 0;
  let cpuMs = 0;
  return {
    perStepMs(samples: number): number {
      const times: number[] = [];
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < samples; i++) {
        const t0 = process.hrtime.bigint();
        for (let c = 0; c < steps.commits; c++) {
          if (offset + chunk.length > size) offset = 0;
          writeSync(fd, chunk, 0, chunk.length, offset);
          offset += chunk.length;
          flush(fd);
        }
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      const cpu = process.cpuUsage(cpu0);
      cpuMs = (cpu.user + cpu.system) / 1000 / samples;
      return percentile(times, 50);
    },
    /** CPU per step of the last perStepMs call. */
    cpuMs: () => cpuMs,
    close: () => closeSync(fd),
  };
}

/** A run row written straight to the journal (runbook version "h"), for the parts measured without the engine. */
function newRunOf(runbook: string): NewRun {
  return {
    runbook,
    runbookHash: "h",
    params: {},
    secretParams: [],
    targets: [],
    locks: [],
    requestedBy: "U1",
    requestedByName: "bench",
    channel: "bench",
  };
}

/**
 * For reference, on a store of its own on the same file system: what SQLite alone costs for a chained
 * step's journal writes, with no engine around them — the previous step's outcome and this step's
 * start (their rows and journal entries) in one durable commit, through the journal's own statements.
 * Returns ms per step (median of `samples`, each a whole 100-step run's commits ÷ 100).
 */
function createSqliteAlone() {
  const store = openStore(join(dir, "sqlite-alone.db"));
  const journal = createJournal({ store, clock: systemClock });
  journal.saveVersion({ hash: "h", name: "alone", file: "alone.yaml", content: "x" });
  const n = 100;
  const keys = Array.from({ length: n }, (_, i) => `s${i}`);
  const newRun = () =>
    journal.createRun(
      newRunOf("alone"),
      keys.map((key, ordinal) => ({ key, stepId: key, name: key, kind: "wait", target: null, ordinal })),
    );
  let cpuMs = 0;
  const api = {
    perStepMs(samples: number): number {
      const times: number[] = [];
      const cpu0 = process.cpuUsage();
      for (let r = 0; r < samples; r++) {
        const id = newRun();
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < n; i++) {
          journal.durable(() => {
            if (i > 0) journal.stepFinished(id, keys[i - 1]!, 1, { status: "succeeded", durationMs: 0 });
            journal.stepStarted(id, keys[i]!, 1);
          });
        }
        times.push(Number(process.hrtime.bigint() - t0) / 1e6 / n);
      }
      // Includes each sample's untimed run creation (100 checklist rows), as the engine's slope does.
      const cpu = process.cpuUsage(cpu0);
      cpuMs = (cpu.user + cpu.system) / 1000 / samples / n;
      return percentile(times, 50);
    },
    /** CPU per step of the last perStepMs call (user + system). */
    cpuMs: () => cpuMs,
    close: () => store.close(),
  };
  // Grow the WAL to its full size first, as the engine's store has (a growing file costs metadata writes).
  api.perStepMs(4);
  return api;
}

/**
 * What the engine writes per step, measured on its own store (untimed): durable commits (counted at
 * the store) and WAL frames (the WAL's size after a truncating checkpoint), as the slope between a
 * 20- and a 100-step chain.
 */
async function writesPerStep(s: ReturnType<typeof setup>): Promise<{ frames: number; commits: number }> {
  let durable = 0;
  const real = s.store.durable;
  s.store.durable = (fn) => {
    durable++;
    return real(fn);
  };
  const measure = async (runbook: string) => {
    s.store.db.pragma("wal_checkpoint(TRUNCATE)");
    durable = 0;
    await timeRun(s.engine, runbook);
    return { commits: durable, bytes: statSync(`${s.store.path}-wal`).size };
  };
  try {
    const short = await measure("chain20");
    const long = await measure("chain100");
    return {
      commits: (long.commits - short.commits) / 80,
      frames: (long.bytes - short.bytes) / WAL_FRAME / 80,
    };
  } finally {
    s.store.durable = real;
  }
}

async function perStepOverhead(): Promise<void> {
  // Marginal cost per step = slope between a short and a long chain, so the fixed per-run cost
  // (request, approval, start and finish commits) is not smeared over the steps. The floor is measured
  // between the chain runs of the same round (fsync cost on a shared VM moves within seconds).
  const s = setup(all(noop), { chain20: chain("chain20", 20), chain100: chain("chain100", 100) });
  await timeRun(s.engine, "chain20");
  const writes = await writesPerStep(s);
  // Regrow the WAL the measuring checkpoint truncated: a long-running bot reuses a full-size WAL.
  for (let i = 0; i < 4; i++) await timeRun(s.engine, "chain100");
  // The limit: a step's "started" and its outcome must be written, and "started" must be on
  // disk before the action: one fdatasync per step at least, of at least one frame per row changed.
  const floorShape = { frames: Math.max(writes.frames, 2), commits: Math.max(writes.commits, 1) };
  const floor = createFloor(floorShape);
  const floorFsync = createFloor(floorShape, "fsync");
  const alone = createSqliteAlone();
  const perStep: number[] = [];
  const cpuPerStep: number[] = [];
  const sysPerStep: number[] = [];
  const floorMs: number[] = [];
  const floorCpu: number[] = [];
  const fsyncMs: number[] = [];
  const aloneMs: number[] = [];
  const aloneCpu: number[] = [];
  const loads = [loadNow()];
  for (let round = 0; round < ROUNDS; round++) {
    const short: number[] = [];
    const long: number[] = [];
    const shortCpu: number[] = [];
    const longCpu: number[] = [];
    const shortSys: number[] = [];
    const longSys: number[] = [];
    const floors: number[] = [];
    const floorCpus: number[] = [];
    const fsyncs: number[] = [];
    const alones: number[] = [];
    const aloneCpus: number[] = [];
    const measureFloor = () => {
      floors.push(floor.perStepMs(40));
      floorCpus.push(floor.cpuMs());
    };
    for (let i = 0; i < 3; i++) {
      if ((round + i) % 2 === 0) measureFloor();
      short.push(await timeRun(s.engine, "chain20"));
      shortCpu.push(lastRunCpuMs);
      shortSys.push(lastRunSysMs);
      measureFloor();
      long.push(await timeRun(s.engine, "chain100"));
      longCpu.push(lastRunCpuMs);
      longSys.push(lastRunSysMs);
      if ((round + i) % 2 === 1) measureFloor();
      fsyncs.push(floorFsync.perStepMs(40));
      alones.push(alone.perStepMs(1));
      aloneCpus.push(alone.cpuMs());
    }
    perStep.push((percentile(long, 50) - percentile(short, 50)) / 80);
    cpuPerStep.push((percentile(longCpu, 50) - percentile(shortCpu, 50)) / 80);
    sysPerStep.push((percentile(longSys, 50) - percentile(shortSys, 50)) / 80);
    floorMs.push(percentile(floors, 50));
    floorCpu.push(percentile(floorCpus, 50));
    fsyncMs.push(percentile(fsyncs, 50));
    aloneMs.push(percentile(alones, 50));
    aloneCpu.push(percentile(aloneCpus, 50));
    loads.push(loadNow());
  }
  floor.close();
  floorFsync.close();
  alone.close();
  s.close();
  const frames = (floorShape.frames / floorShape.commits).toFixed(1);
  printTable(`engine overhead per step (no-op steps), ${ROUNDS} rounds, median (range)`, [
    ["per step (slope 20 → 100 steps)", `${medianRange(perStep, 3)} ms`],
    [
      `floor: ${floorShape.commits.toFixed(2)} × (append ${frames} WAL frames + fdatasync)`,
      `${medianRange(floorMs, 3)} ms`,
    ],
    ["ratio per step / floor", medianRange(perStep.map((x, i) => x / floorMs[i]!))],
    ["engine CPU per step (user+system, same slope)", `${medianRange(cpuPerStep, 3)} ms`],
    ["…of which system (kernel: writes, fsync, locks)", `${medianRange(sysPerStep, 3)} ms`],
    ["floor CPU per step (user+system)", `${medianRange(floorCpu, 3)} ms`],
    ["engine writes per step: durable commits", writes.commits.toFixed(2)],
    ["engine writes per step: WAL frames", writes.frames.toFixed(2)],
    [
      "reference: SQLite alone, a chained step's journal writes in one durable commit",
      `${medianRange(aloneMs, 3)} ms`,
    ],
    ["reference: SQLite alone / floor", medianRange(aloneMs.map((x, i) => x / floorMs[i]!))],
    // CPU on a step's path cannot overlap its fsync (better-sqlite3 commits synchronously and the next
    // step waits for it): it adds to the wall time one for one, so (CPU per step − floor CPU) ÷ floor is
    // roughly what it adds to the ratio, whatever the disk.
    ["reference: SQLite alone CPU per step (user+system)", `${medianRange(aloneCpu, 3)} ms`],
    [
      "reference: per step / SQLite alone (the engine's own share)",
      medianRange(perStep.map((x, i) => x / aloneMs[i]!)),
    ],
    [`reference: floor with fsync instead of fdatasync (what SQLite calls)`, `${medianRange(fsyncMs, 3)} ms`],
    ...loads.map((l, i): [string, string] => [i === 0 ? "load before" : `load after round ${i}`, l]),
    ["target", "≤ 1.5× the floor"],
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
    const runId = journal.createRun(newRunOf("out"), [
      { key: "s", stepId: "s", name: "s", kind: "local", target: null, ordinal: 0 },
    ]);
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
