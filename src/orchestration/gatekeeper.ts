import type { Config } from "../config/schema.js";
import type { ChatUser } from "../lib/actor.js";
import type { ChannelRef } from "../lib/channel-scope.js";
import { PermissionError } from "../lib/errors.js";
import {
  type AccessConfig,
  approvability,
  approvalWarnings,
  channelVerdict,
  type GroupLookup,
  mayRequest,
} from "./access.js";
import type { RunbookVersion } from "./runbooks/parse.js";

/**
 * The orchestration side of "who may do what": the checks a request, a decision or a control passes
 * before the engine sees it. Throws PermissionError (audited as `denied`) with the reason and who may.
 */
export interface Gatekeeper {
  /** Refuses a request the user may not make here, or that nobody but the requester could approve. */
  admit(version: RunbookVersion, user: ChatUser, where: ChannelRef): Promise<void>;
  /** The runbooks this user may request (anywhere; `where` marks those allowed here). */
  requestable(
    versions: readonly RunbookVersion[],
    user: ChatUser,
    where: ChannelRef,
  ): Promise<{ version: RunbookVersion; here: boolean }[]>;
  /** Refuses acting on a run of a channel-scoped runbook from outside its channels. */
  checkChannel(version: RunbookVersion | undefined, where: ChannelRef, what: string): void;
  /** Approvals nobody could give, from the config alone: logged at start, shown by `runbook validate`. */
  warnings(versions: readonly RunbookVersion[]): string[];
}

export function accessConfigOf(config: Config): AccessConfig {
  return {
    roles: config.roles,
    ...(config.role_channels ? { role_channels: config.role_channels } : {}),
    channels: config.channels,
    defaultRunners: config.orchestration.default_runners,
  };
}

export function createGatekeeper(deps: { config: Config; groups?: GroupLookup }): Gatekeeper {
  const cfg = accessConfigOf(deps.config);
  const groups = deps.groups;
  return {
    async admit(version, user, where) {
      const allowed = await mayRequest(version.runbook, user, where, cfg, groups);
      if (!allowed.ok) throw new PermissionError(`You can't request ${version.name}: ${allowed.reason}.`);
      const rb = version.runbook;
      if (!rb.approvers || rb.approvers.length === 0) return;
      const policy = { approvers: rb.approvers, minApprovals: rb.min_approvals, allowSelf: rb.allow_self };
      const a = await approvability(policy, user, where, cfg, groups);
      if (a.eligible < policy.minApprovals) {
        throw new PermissionError(
          `Nobody could approve ${version.name} for you: it needs ${policy.minApprovals} approval(s) from ${policy.approvers.join(", ")} other than you, and ${a.eligible === 0 ? "there is no such person" : `only ${a.eligible} such ${a.eligible === 1 ? "person exists" : "people exist"}`}${a.problems.length > 0 ? ` (${a.problems.join("; ")})` : ""}. Ask an admin to fix the roles, or someone else to request it.`,
        );
      }
    },
    async requestable(versions, user, where) {
      const out: { version: RunbookVersion; here: boolean }[] = [];
      for (const version of versions) {
        const anywhere = await mayRequest(
          { ...version.runbook, channels: undefined } as typeof version.runbook,
          user,
          where,
          cfg,
          groups,
        );
        if (!anywhere.ok) continue;
        out.push({ version, here: channelVerdict(version.runbook, where, cfg, "requested").ok });
      }
      return out;
    },
    checkChannel(version, where, what) {
      if (!version) return;
      const v = channelVerdict(version.runbook, where, cfg, what);
      if (!v.ok) throw new PermissionError(`Not here: ${v.reason}.`);
    },
    warnings: (versions) => versions.flatMap((v) => approvalWarnings(v.runbook, cfg)),
  };
}
