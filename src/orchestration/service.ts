import type { ChatPort } from "../chat/port.js";
import type { Config } from "../config/schema.js";
import type { ChatUser } from "../lib/actor.js";
import { type Clock, parseDuration } from "../lib/clock.js";
import type { Logger } from "../lib/logger.js";
import type { Redactor } from "../lib/redact.js";
import type { SshRunner, SshTarget } from "../lib/ssh/types.js";
import type { StoreHealth } from "../store/faults.js";
import type { Store } from "../store/store.js";
import { createEngine, type Preview, type RequestInput } from "./engine/engine.js";
import type { RecoveryReport } from "./engine/recovery.js";
import type { OutputRow } from "./journal.js";
import type { DecisionResult } from "./journal-approvals.js";
import type { FleetView } from "./management-port.js";
import type { ProgressListener } from "./progress.js";
import { gatesAfterChanges, readinessProblems } from "./readiness.js";
import { createRunbookCatalog, type RunbookCatalog } from "./runbooks/catalog.js";
import type { RunbookVersion } from "./runbooks/parse.js";
import type { RunbookProblem } from "./runbooks/problems.js";
import { evaluateGate, type GateCheck } from "./steps/gate.js";
import { createExecutors } from "./steps/index.js";
import { realSleep, type Sleep } from "./steps/types.js";
import { ACTIVE_RUN_STATUSES, type ApprovalRow, type RunRow } from "./types.js";
import { loadRunView, outputTail, type RunView } from "./view.js";

/**
 * What the rest of opsbot (commands, the run reporter in presenters/, buttons) may do with
 * orchestration: one façade over the runbook catalog and the engine. Built in the composition root;
 * commands reach it as `services.orchestration`.
 */
export interface OrchestrationService {
  runbooks(): RunbookVersion[];
  runbook(name: string): RunbookVersion | undefined;
  problems(): RunbookProblem[];
  /** Resolved plan without gates; throws a UsageError listing every parameter or plan problem. */
  preview(runbook: string, params: Record<string, string>): Preview;
  /**
   * The plan, every gate before the first state-changing step evaluated against management state now,
   * and every problem that would stop the run (SSH settings, host keys, gate data). Executes nothing.
   */
  dryRun(runbook: string, params: Record<string, string>): Promise<PlanCheck>;
  /** An existing run's plan (the request message's "Details"), checked the same way now. */
  runPlan(runId: number): Promise<PlanCheck>;
  request(input: RequestInput): { run: RunRow; preview: Preview; approvalId?: number };
  /** An approver's decision (compare-and-set in the store); identity comes from the transport. */
  decide(input: { approvalId: number; user: ChatUser; decision: "approve" | "reject" }): DecisionResult;
  cancel(runId: number, user: ChatUser): RunRow;
  abort(runId: number, user: ChatUser): RunRow;
  resume(
    runId: number,
    user: ChatUser,
    opts?: { params?: Record<string, string>; skipInterrupted?: boolean },
  ): { run: RunRow; approvalId?: number };
  view(runId: number): RunView | undefined;
  outputTail(runId: number, stepKey: string, maxBytes?: number): string;
  /** Every stored (redacted) output chunk of a run, or of one step, in order. */
  output(runId: number, stepKey?: string): OutputRow[];
  /** A step's whole stored (redacted) output as one text. */
  outputText(runId: number, stepKey: string): string;
  /** Approvals of a run still waiting for decisions (the run's own, or a mid-run approval step's). */
  pendingApprovals(runId: number): ApprovalRow[];
  runs(opts?: { active?: boolean; limit?: number }): RunRow[];
  subscribe(listener: ProgressListener): () => void;
  /** Records the run's parent message so notify steps and reporters post into its thread. */
  setThread(runId: number, channel: string, threadTs: string): void;
  setApprovalMessage(approvalId: number, ref: { channel: string; ts: string }): void;
  /** Where the run's parent message (request, then live checklist) was posted, kept across restarts. */
  parentMessage(runId: number): { channel: string; ts: string } | undefined;
  recordParentMessage(runId: number, ref: { channel: string; ts: string }): void;
  /** Start-up: recovery, approval expiry sweeps, runbook watching. Only the long-running bot calls it. */
  start(): RecoveryReport;
  /** Resolves when every run executing in this process has finished. */
  idle(): Promise<void>;
  /** Stops sweeps and runbook watching (a run executing keeps going; see drain). */
  stop(): void;
  /**
   * Graceful stop: nothing new starts; runs executing here get `graceMs` to finish, then the rest
   * are marked interrupted through the journal. Returns the ids of the runs interrupted.
   */
  drain(graceMs: number): Promise<number[]>;
}

export interface PlanCheck {
  preview: Preview;
  /** Gates evaluated now, by plan key. */
  gates: Map<string, GateCheck[]>;
  /** Gates after a state-changing step: checked when the run reaches them, not now. */
  checkedWhenReached: Set<string>;
  /** What would stop the run at a step however the gates turn out; a request with any is refused. */
  problems: string[];
}

export interface OrchestrationDeps {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  chat: ChatPort;
  redactor: Redactor;
  ssh: SshRunner;
  sshTargetFor(device: string): SshTarget | undefined;
  fleet: FleetView;
  sleep?: Sleep;
  /** Environment for local steps (default: opsbot's own). */
  localEnv?: NodeJS.ProcessEnv;
  /** How often pending approvals are checked for expiry. Default 5 s. */
  sweepMs?: number;
  /** Override the catalog (tests); default: orchestration.runbooks_dir. */
  catalog?: RunbookCatalog;
  /** Told when run output or the journal cannot be written (disk full, locked), and when it can again. */
  health?: StoreHealth;
}

export function createOrchestration(deps: OrchestrationDeps): OrchestrationService {
  const o = deps.config.orchestration;
  const sleep = deps.sleep ?? realSleep;
  const devices = () => deps.config.devices.map((d) => ({ name: d.name, host: d.host, tags: d.tags }));
  let catalog = deps.catalog;
  const getCatalog = (): RunbookCatalog => {
    // Lazily, so a one-shot CLI call that never touches runbooks does not read the directory.
    catalog ??= createRunbookCatalog({ dir: o.runbooks_dir, logger: deps.logger });
    return catalog;
  };
  const engine = createEngine({
    store: deps.store,
    clock: deps.clock,
    logger: deps.logger,
    redactor: deps.redactor,
    runbook: (name) => getCatalog().get(name),
    runbookNames: () =>
      getCatalog()
        .list()
        .map((v) => v.name),
    devices,
    sleep,
    ...(deps.health ? { health: deps.health } : {}),
    executors: createExecutors({
      ssh: deps.ssh,
      sshTargetFor: deps.sshTargetFor,
      fleet: deps.fleet,
      chat: deps.chat,
      channels: deps.config.channels,
      ...(o.notify_channel ? { notifyChannel: o.notify_channel } : {}),
      clock: deps.clock,
      sleep,
      maxOutputBytes: o.output_cap_bytes,
      ...(deps.localEnv ? { localEnv: deps.localEnv } : {}),
    }),
    settings: {
      defaultStepTimeoutMs: parseDuration(o.default_step_timeout) ?? 1_800_000,
      approvalExpiresInMs: parseDuration(o.approval_expires_in) ?? 1_800_000,
      allowLocal: o.allow_local,
      outputCapBytes: o.output_cap_bytes,
    },
  });
  let sweeper: NodeJS.Timeout | undefined;

  /** A plan checked now (dry runs, requests, "Details"): gates before any change, and readiness. */
  async function check(preview: Preview): Promise<PlanCheck> {
    const checkedWhenReached = gatesAfterChanges(preview.plan);
    const gates = new Map<string, GateCheck[]>();
    for (const key of preview.plan.order) {
      const node = preview.plan.nodes.get(key)!;
      if (node.kind !== "gate" || checkedWhenReached.has(key)) continue;
      try {
        gates.set(key, await evaluateGate(node, deps.fleet, deps.clock.now()));
      } catch (err) {
        gates.set(key, [{ condition: "management state", ok: false, detail: (err as Error).message }]);
      }
    }
    const problems = await readinessProblems(preview.plan, deps);
    return { preview, gates, checkedWhenReached, problems };
  }

  return {
    runbooks: () => getCatalog().list(),
    runbook: (name) => getCatalog().get(name),
    problems: () => getCatalog().problems(),
    preview: (runbook, params) => engine.preview(runbook, params),
    dryRun: (runbook, params) => check(engine.preview(runbook, params)),
    runPlan: (runId) => check(engine.planOfRun(runId)),
    request: (input) => engine.request(input),
    decide: (input) => engine.decide(input),
    cancel: (runId, user) => engine.cancel(runId, user),
    abort: (runId, user) => engine.abort(runId, user),
    resume: (runId, user, opts) => engine.resume(runId, user, opts),
    view: (runId) => loadRunView(engine.journal, runId),
    outputTail: (runId, key, maxBytes) => outputTail(engine.journal, runId, key, maxBytes),
    output: (runId, key) => engine.journal.output(runId, key),
    outputText: (runId, key) => engine.journal.outputText(runId, key),
    pendingApprovals: (runId) => engine.journal.approvalsForRun(runId).filter((a) => a.status === "pending"),
    runs: (opts = {}) =>
      engine.journal.listRuns({
        ...(opts.active ? { statuses: ACTIVE_RUN_STATUSES } : {}),
        limit: opts.limit ?? 20,
      }),
    subscribe: (listener) => engine.subscribe(listener),
    setThread: (runId, channel, ts) => engine.setThread(runId, channel, ts),
    setApprovalMessage: (approvalId, ref) => engine.journal.setApprovalMessage(approvalId, ref),
    parentMessage: (runId) => engine.journal.parentMessage(runId),
    recordParentMessage: (runId, ref) => engine.journal.recordParentMessage(runId, ref),
    start() {
      const journal = engine.journal;
      const c =
        deps.catalog ??
        createRunbookCatalog({
          dir: o.runbooks_dir,
          watch: o.watch,
          logger: deps.logger,
          saveVersion: (v) => journal.saveVersion(v),
        });
      if (!deps.catalog) {
        catalog?.close();
        catalog = c;
      }
      const report = engine.recover();
      if (report.interrupted.length + report.continued.length + report.expired.length > 0) {
        deps.logger.warn(report, "runs recovered after a restart");
      }
      sweeper = setInterval(() => {
        try {
          engine.sweep();
        } catch (err) {
          deps.logger.error({ err }, "approval expiry sweep failed");
        }
      }, deps.sweepMs ?? 5000);
      sweeper.unref();
      return report;
    },
    idle: () => engine.idle(),
    stop() {
      if (sweeper) clearInterval(sweeper);
      catalog?.close();
    },
    async drain(graceMs) {
      this.stop();
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        engine.idle().then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), graceMs);
        }),
      ]);
      clearTimeout(timer);
      const reason = finished
        ? "opsbot stopped before this run could start"
        : `opsbot stopped; steps still running after the ${Math.round(graceMs / 1000)}s shutdown grace have an unknown outcome. Check, then resume or abort.`;
      const interrupted = engine.shutdown(reason);
      if (interrupted.length > 0) deps.logger.warn({ runs: interrupted }, "runs interrupted at shutdown");
      return interrupted;
    },
  };
}
