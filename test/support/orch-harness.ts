import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChatUser } from "../../src/lib/actor.js";
import { type Clock, systemClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { Redactor } from "../../src/lib/redact.js";
import type { SshRunner, SshTarget } from "../../src/lib/ssh/types.js";
import { createEngine } from "../../src/orchestration/engine/engine.js";
import { createJournal } from "../../src/orchestration/journal.js";
import { createMemoryFleetView, type FleetView } from "../../src/orchestration/management-port.js";
import type { PlanDevice } from "../../src/orchestration/plan.js";
import { createRunbookCatalog } from "../../src/orchestration/runbooks/catalog.js";
import { createExecutors } from "../../src/orchestration/steps/index.js";
import { realSleep, type Sleep } from "../../src/orchestration/steps/types.js";
import type { StoreHealth } from "../../src/store/faults.js";
import { tempStore } from "./orch-store.js";
import { RecordingChat } from "./recording-chat.js";

export const alice: ChatUser = { id: "U1", name: "alice", roles: ["ops"] };
export const bob: ChatUser = { id: "U2", name: "bob", roles: ["ops"] };

const noSsh: SshRunner = {
  async exec() {
    throw new Error("no ssh in this test");
  },
  async close() {},
};

export interface HarnessOptions {
  runbooks?: Record<string, string>;
  secrets?: string[];
  devices?: PlanDevice[];
  fleet?: FleetView;
  ssh?: SshRunner;
  sshTargetFor?: (device: string) => SshTarget | undefined;
  sleep?: Sleep;
  clock?: Clock;
  allowLocal?: boolean;
  outputCapBytes?: number;
  defaultStepTimeoutMs?: number;
  /** Told of store faults by the engine's writers. */
  health?: StoreHealth;
  /** SQLite busy_timeout of the harness's connection (default 5 s). */
  busyTimeoutMs?: number;
  /** Extra environment for local steps. */
  env?: Record<string, string>;
}

/** A real engine on a real SQLite file, real /bin/sh steps, a recording chat port. */
export function createHarness(options: HarnessOptions = {}) {
  const t = tempStore(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs });
  const runbookDir = join(t.dir, "runbooks");
  const work = join(t.dir, "work");
  mkdirSync(runbookDir);
  mkdirSync(work);
  for (const [file, content] of Object.entries(options.runbooks ?? {}))
    writeFileSync(join(runbookDir, file), content);
  const clock = options.clock ?? systemClock;
  const journal = createJournal({ store: t.store, clock });
  const catalog = createRunbookCatalog({ dir: runbookDir, saveVersion: (v) => journal.saveVersion(v) });
  const chat = new RecordingChat();
  const posts = chat.posts;
  const fleet = options.fleet ?? createMemoryFleetView();
  const sleep = options.sleep ?? realSleep;
  const devices = options.devices ?? [];
  const engine = createEngine({
    store: t.store,
    clock,
    logger: silentLogger(),
    redactor: new Redactor(options.secrets ?? []),
    runbook: (name) => catalog.get(name),
    devices: () => devices,
    sleep,
    ...(options.health ? { health: options.health } : {}),
    executors: createExecutors({
      ssh: options.ssh ?? noSsh,
      sshTargetFor: options.sshTargetFor ?? (() => undefined),
      fleet,
      chat,
      channels: { ops: "C-OPS" },
      clock,
      sleep,
      maxOutputBytes: 1_048_576,
      localEnv: { ...process.env, ...options.env, WORK: work },
    }),
    settings: {
      defaultStepTimeoutMs: options.defaultStepTimeoutMs ?? 60_000,
      approvalExpiresInMs: 30 * 60_000,
      allowLocal: options.allowLocal ?? true,
      outputCapBytes: options.outputCapBytes ?? 1_048_576,
      outputFlushMs: 20,
    },
  });
  return {
    engine,
    catalog,
    store: t.store,
    dbPath: t.path,
    journal: engine.journal,
    chat,
    posts,
    fleet,
    runbookDir,
    work,
    writeRunbook: (file: string, content: string) => writeFileSync(join(runbookDir, file), content),
    cleanup: () => {
      catalog.close();
      t.cleanup();
    },
  };
}
