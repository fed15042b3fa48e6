import type { ChatUser } from "../../lib/actor.js";
import { parseDuration } from "../../lib/clock.js";
import { ConflictError, NotFoundError, UsageError } from "../../lib/errors.js";
import { type ApprovalPolicy, createApproval } from "../journal-approvals.js";
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

export function createRequests(
  core: EngineCore,
  hooks: { emitRun(runId: number): void; start(runId: number): void },
) {
  const { deps, journal, progress } = core;
  const { emitRun, start } = hooks;
  const now = () => deps.clock.now();

  function policyOf(rb: Runbook): ApprovalPolicy | undefined {
    if (!rb.approvers || rb.approvers.length === 0) return undefined;
    return {
      approvers: rb.approvers,
      minApprovals: rb.min_approvals,
      allowSelf: rb.allow_self,
      expiresInMs: parseDuration(rb.expires_in ?? "") ?? deps.settings.approvalExpiresInMs,
    };
  }

  function versionOf(row: RunRow): RunbookVersion {
    const stored = journal.getVersion(row.runbookHash);
    if (!stored)
      throw new NotFoundError(
        `Runbook version ${row.runbookHash.slice(0, 12)} of run ${row.id} is not in the store.`,
      );
    const parsed = parseRunbook(stored.content, stored.file);
    if (!parsed.ok) throw new ConflictError(`The stored version of ${row.runbook} no longer validates.`);
    return parsed.version;
  }

  function planFor(version: RunbookVersion, values: Record<string, string>, secretNames: string[]): Plan {
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

  function preview(runbook: string, input: Record<string, string>): Preview {
    const version = deps.runbook(runbook);
    if (!version)
      throw new NotFoundError(`No runbook named ${runbook}.`, ["`runbooks` lists the runbooks you can run"]);
    const resolved = resolveParams(version.runbook.params, input, {
      devices: deps.devices().map((d) => d.name),
    });
    if (resolved.errors.length > 0)
      throw new UsageError(`Cannot run ${runbook}: check the parameters.`, resolved.errors);
    const plan = planFor(version, resolved.values, resolved.secrets);
    const policy = policyOf(version.runbook);
    return {
      version,
      plan,
      params: maskedParams(resolved.values, resolved.secrets),
      secretNames: resolved.secrets,
      values: resolved.values,
      ...(policy ? { policy } : {}),
    };
  }

  function request(input: RequestInput): { run: RunRow; preview: Preview; approvalId?: number } {
    const p = preview(input.runbook, input.params);
    let approvalId: number | undefined;
    const redactor = deps.redactor.with(p.secretNames.map((n) => p.values[n] ?? ""));
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
        approvalId = createApproval(deps.store, {
          runId: id,
          policy: p.policy,
          requestedBy: input.user.id,
          now: now(),
        });
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
    emitRun(runId);
    if (approvalId !== undefined) {
      progress.emit({ type: "approval", runId, approvalId, stepKey: null, status: "pending", at: now() });
    } else start(runId);
    return { run: journal.getRun(runId)!, preview: p, ...(approvalId !== undefined ? { approvalId } : {}) };
  }

  return { policyOf, versionOf, planFor, preview, request };
}
