import { suggest } from "../../chat/suggest.js";
import type { ChatUser } from "../../lib/actor.js";
import { parseDuration } from "../../lib/clock.js";
import { ConflictError, NotFoundError, UsageError } from "../../lib/errors.js";
import type { ApprovalPolicy } from "../journal-approvals.js";
import { maskedParams, resolveParams } from "../params.js";
import { buildPlan, displayCommand, type Plan } from "../plan.js";
import { parseRunbook, type RunbookVersion } from "../runbooks/parse.js";
import type { Runbook } from "../runbooks/schema.js";
import type { RunRow } from "../types.js";
import type { EngineCore } from "./engine-core.js";

/**
 * Turning "run <runbook> k=v" into a run: typed parameters, the resolved plan (also the dry run's),
 * and the run row with its checklist and approval request, written in one durable transaction.
 * Secret values stay in memory only.
 */
export interface RequestInput {
  runbook: string;
  params: Record<string, string>;
  user: ChatUser;
  channel: string;
  threadTs?: string;
}

export interface Preview {
  version: RunbookVersion;
  plan: Plan;
  /** Secret values masked. */
  params: Record<string, string>;
  secretNames: string[];
  /** Full values, for gate evaluation and nothing shown. */
  values: Record<string, string>;
  policy?: ApprovalPolicy;
}

/** The runbook's approval policy, or undefined when it has no approvers. */
export function policyOf(core: EngineCore, rb: Runbook): ApprovalPolicy | undefined {
  if (!rb.approvers || rb.approvers.length === 0) return undefined;
  return {
    approvers: rb.approvers,
    minApprovals: rb.min_approvals,
    allowSelf: rb.allow_self,
    expiresInMs: parseDuration(rb.expires_in ?? "") ?? core.deps.settings.approvalExpiresInMs,
  };
}

/** The exact runbook version a run was requested with, from the store. */
export function versionOf(core: EngineCore, row: RunRow): RunbookVersion {
  // Versions are content-addressed: the active one with the same hash is the same text, parsed.
  const active = core.deps.runbook(row.runbook);
  if (active?.hash === row.runbookHash) return active;
  const stored = core.journal.getVersion(row.runbookHash);
  if (!stored)
    throw new NotFoundError(
      `Runbook version ${row.runbookHash.slice(0, 12)} of run ${row.id} is not in the store.`,
    );
  const parsed = parseRunbook(stored.content, stored.file);
  if (!parsed.ok) throw new ConflictError(`The stored version of ${row.runbook} no longer validates.`);
  return parsed.version;
}

export function planFor(
  core: EngineCore,
  version: RunbookVersion,
  values: Record<string, string>,
  secretNames: string[],
): Plan {
  const { deps } = core;
  const r = buildPlan({
    version,
    params: values,
    secrets: secretNames,
    devices: deps.devices(),
    defaultTimeoutMs: deps.settings.defaultStepTimeoutMs,
    allowLocal: deps.settings.allowLocal,
  });
  if (!r.ok) throw new UsageError(`Cannot plan ${version.name}.`, r.errors);
  return r.plan;
}

/** Secret parameters a run was requested with whose values this process no longer holds. */
export function missingSecrets(core: EngineCore, row: RunRow): string[] {
  const have = core.secrets.get(row.id) ?? {};
  return row.secretParams.filter((n) => n in row.params && !(n in have));
}

export function preview(core: EngineCore, runbook: string, input: Record<string, string>): Preview {
  const { deps } = core;
  const version = deps.runbook(runbook);
  if (!version) {
    const close = suggest(runbook, deps.runbookNames?.() ?? []);
    const hint = close.length > 0 ? ` Did you mean ${close.map((c) => `\`${c}\``).join(", ")}?` : "";
    throw new NotFoundError(`No runbook named ${runbook}.${hint}`, [
      "`runbooks` lists the runbooks you can run",
    ]);
  }
  const resolved = resolveParams(version.runbook.params, input, {
    devices: deps.devices().map((d) => d.name),
  });
  if (resolved.errors.length > 0)
    throw new UsageError(`Cannot run ${runbook}: check the parameters.`, resolved.errors);
  const plan = planFor(core, version, resolved.values, resolved.secrets);
  const policy = policyOf(core, version.runbook);
  return {
    version,
    plan,
    params: maskedParams(resolved.values, resolved.secrets),
    secretNames: resolved.secrets,
    values: resolved.values,
    ...(policy ? { policy } : {}),
  };
}

export function request(
  core: EngineCore,
  input: RequestInput,
): { run: RunRow; preview: Preview; approvalId?: number } {
  const { deps, journal, progress, lifecycle } = core;
  const now = () => deps.clock.now();
  const p = preview(core, input.runbook, input.params);
  let approvalId: number | undefined;
  const redactor = deps.redactor.with(
    p.secretNames.map((n) => p.values[n] ?? ""),
    [p.version.name, input.user.name],
  );
  const runId = journal.durable(() => {
    journal.saveVersion(p.version);
    const id = journal.createRun(
      {
        runbook: p.version.name,
        runbookHash: p.version.hash,
        params: p.params,
        secretParams: p.secretNames,
        targets: p.plan.targets.map((t) => t.name),
        locks: p.plan.locks,
        requestedBy: input.user.id,
        requestedByName: input.user.name,
        channel: input.channel,
        ...(input.threadTs ? { threadTs: input.threadTs } : {}),
      },
      p.plan.order.map((key) => {
        const n = p.plan.nodes.get(key)!;
        const shown = displayCommand(n, p.values, p.secretNames);
        const command = shown === undefined ? undefined : redactor.redact(shown);
        return {
          key,
          stepId: n.stepId,
          name: n.name,
          kind: n.kind,
          target: n.on?.name ?? n.target?.name ?? null,
          ordinal: n.ordinal,
          ...(command ? { command } : {}),
        };
      }),
    );
    if (p.policy) {
      approvalId = journal.createApproval({ runId: id, policy: p.policy, requestedBy: input.user.id });
    } else {
      journal.transitionRun(id, ["pending"], "approved", {
        detail: { by: "policy", note: "the runbook has no approvers" },
      });
    }
    return id;
  });
  const secretValues = Object.fromEntries(
    p.secretNames.filter((n) => n in p.values).map((n) => [n, p.values[n]!]),
  );
  if (Object.keys(secretValues).length > 0) core.secrets.set(runId, secretValues);
  lifecycle.emitRun(runId);
  if (approvalId !== undefined) {
    progress.emit({ type: "approval", runId, approvalId, stepKey: null, status: "pending", at: now() });
  } else lifecycle.start(runId, p.plan);
  return { run: journal.getRun(runId)!, preview: p, ...(approvalId !== undefined ? { approvalId } : {}) };
}
