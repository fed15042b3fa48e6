/**
 * The "bot" process of the crash test: opens the store, loads the runbooks, requests one run and
 * executes it, printing the run id. The test kills it with SIGKILL mid-run and recovers in its own
 * process. Run with `node --import ./test/support/orch-ts-loader.mjs`.
 * Usage: orch-crash-child.ts <db> <runbook dir> <work dir> <runbook>
 */

import { systemClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { Redactor } from "../../src/lib/redact.js";
import { createEngine } from "../../src/orchestration/engine/engine.js";
import { createJournal } from "../../src/orchestration/journal.js";
import { createMemoryFleetView } from "../../src/orchestration/management-port.js";
import { createRunbookCatalog } from "../../src/orchestration/runbooks/catalog.js";
import { createExecutors } from "../../src/orchestration/steps/index.js";
import { realSleep } from "../../src/orchestration/steps/types.js";
import { openStore } from "../../src/store/store.js";
import { RecordingChat } from "./recording-chat.js";

const [dbPath, runbookDir, work, runbook] = process.argv.slice(2) as [string, string, string, string];
const store = openStore(dbPath);
const clock = systemClock;
const journal = createJournal({ store, clock });
const catalog = createRunbookCatalog({ dir: runbookDir, saveVersion: (v) => journal.saveVersion(v) });
const engine = createEngine({
  store,
  clock,
  logger: silentLogger(),
  redactor: new Redactor(),
  runbook: (name) => catalog.get(name),
  devices: () => [],
  executors: createExecutors({
    ssh: {
      exec: () => Promise.reject(new Error("no ssh")),
      close: async () => {},
    },
    sshTargetFor: () => undefined,
    fleet: createMemoryFleetView(),
    chat: new RecordingChat(),
    channels: {},
    clock,
    sleep: realSleep,
    maxOutputBytes: 65_536,
    localEnv: { ...process.env, WORK: work },
  }),
  settings: {
    defaultStepTimeoutMs: 120_000,
    approvalExpiresInMs: 60_000,
    allowLocal: true,
    outputCapBytes: 65_536,
  },
});
const r = engine.request({
  runbook,
  params: {},
  user: { id: "U1", name: "alice", roles: ["ops"] },
  channel: "C1",
});
process.stdout.write(`${r.run.id}\n`);
await engine.idle();
store.close();
