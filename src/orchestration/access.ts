import type { ChatUser } from "../lib/actor.js";
import { type ChannelRef, describeScope, inScope } from "../lib/channel-scope.js";
import type { Runbook } from "./runbooks/schema.js";

/**
 * Who may request a runbook, where, and whether anyone could approve it — pure decisions over the
 * runbook, the config's roles and channels, and (for user groups) a lookup the chat transport answers.
 * Admins may request every runbook; channel scopes hold for everyone.
 */
export interface AccessConfig {
  roles: Record<string, string[]>;
  role_channels?: Record<string, string[]>;
  channels: Record<string, string>;
  defaultRunners: readonly string[];
}

/** Members of a chat user group (Slack `S…`), or undefined when it cannot be resolved. */
export type GroupLookup = (groupId: string) => Promise<string[] | undefined>;

export type Verdict = { ok: true } | { ok: false; reason: string };

export interface Principal {
  kind: "role" | "user" | "group";
  value: string;
}

export function principalOf(entry: string): Principal {
  const m = /^(role|user|group):(.+)$/.exec(entry);
  return m ? { kind: m[1] as Principal["kind"], value: m[2]! } : { kind: "role", value: entry };
}

export function runnersOf(rb: Runbook, cfg: Pick<AccessConfig, "defaultRunners">): readonly string[] {
  return rb.runners ?? cfg.defaultRunners;
}

/** "role:oncall, user:U123" as people read it: "the oncall role, user U123". */
export function describePrincipals(entries: readonly string[]): string {
  return entries
    .map((e) => {
      const p = principalOf(e);
      return p.kind === "role"
        ? `the ${p.value} role`
        : p.kind === "user"
          ? `user ${p.value}`
          : `group ${p.value}`;
    })
    .join(", ");
}

/** Is `user` one of `entries`? By id (never a display name), roles, or membership of a group. */
export async function matches(
  entries: readonly string[],
  user: ChatUser,
  groups: GroupLookup | undefined,
): Promise<boolean> {
  for (const entry of entries) {
    const p = principalOf(entry);
    if (p.kind === "user" && user.id === p.value) return true;
    if (p.kind === "role" && user.roles.includes(p.value)) return true;
    if (p.kind === "group" && (await groups?.(p.value))?.includes(user.id)) return true;
  }
  return false;
}

/** May `user` request `rb` here? Channel scope first (it holds for admins too), then runners. */
export async function mayRequest(
  rb: Runbook,
  user: ChatUser,
  where: ChannelRef,
  cfg: AccessConfig,
  groups: GroupLookup | undefined,
): Promise<Verdict> {
  const scope = channelVerdict(rb, where, cfg, "requested");
  if (!scope.ok) return scope;
  if (user.roles.includes("admin")) return { ok: true };
  const runners = runnersOf(rb, cfg);
  if (await matches(runners, user, groups)) return { ok: true };
  return {
    ok: false,
    reason: `${rb.name} may be requested by ${describePrincipals(runners)} (or an admin); you (${user.name}) are none of them`,
  };
}

/** Is `where` inside the runbook's channel scope? `what`: "requested", "approved", "cancelled"… */
export function channelVerdict(rb: Runbook, where: ChannelRef, cfg: AccessConfig, what: string): Verdict {
  if (inScope(rb.channels, where, cfg.channels)) return { ok: true };
  return {
    ok: false,
    reason: `${rb.name} may only be ${what} in ${describeScope(rb.channels ?? [], cfg.channels)}`,
  };
}

/**
 * Could anyone but the requester approve this request here? Counts the distinct people who could
 * decide (user entries, role members, members of groups listed in roles) and explains each empty
 * source. `groups` undefined (no transport groups) leaves group members unresolvable.
 */
export async function approvability(
  policy: { approvers: readonly string[]; minApprovals: number; allowSelf: boolean },
  requester: ChatUser,
  where: ChannelRef,
  cfg: AccessConfig,
  groups: GroupLookup | undefined,
): Promise<{ eligible: number; problems: string[] }> {
  const people = new Set<string>();
  const problems: string[] = [];
  const self = (m: string) =>
    !policy.allowSelf && (m === requester.id || m.toLowerCase() === requester.name.toLowerCase());
  for (const entry of policy.approvers) {
    const p = principalOf(entry);
    if (p.kind === "user") {
      if (self(p.value)) problems.push(`user ${p.value} is you`);
      else people.add(p.value);
      continue;
    }
    if (p.kind === "group") {
      const members = await groups?.(p.value);
      if (members === undefined) problems.push(`group ${p.value} cannot be resolved`);
      else for (const m of members) if (!self(m)) people.add(m);
      continue;
    }
    const scope = cfg.role_channels?.[p.value];
    if (scope && !inScope(scope, where, cfg.channels)) {
      problems.push(`the ${p.value} role holds only in ${describeScope(scope, cfg.channels)}`);
      continue;
    }
    const members = cfg.roles[p.value] ?? [];
    const before = people.size;
    let onlySelf = members.length > 0;
    for (const m of members) {
      if (/^S[A-Z0-9]{2,}$/.test(m)) {
        const inGroup = await groups?.(m);
        if (inGroup === undefined) problems.push(`group ${m} (in the ${p.value} role) cannot be resolved`);
        else for (const u of inGroup) if (!self(u)) people.add(u);
        if (inGroup?.some((u) => !self(u))) onlySelf = false;
      } else if (!self(m)) {
        people.add(m);
        onlySelf = false;
      }
    }
    if (members.length === 0) problems.push(`the ${p.value} role has no members`);
    else if (onlySelf && people.size === before) problems.push(`the ${p.value} role's only member is you`);
  }
  return { eligible: people.size, problems };
}

/**
 * Load-time warnings for approvals nobody could give, from the config alone (groups unresolved):
 * a role that is missing or empty, or fewer members than min_approvals.
 */
export function approvalWarnings(rb: Runbook, cfg: Pick<AccessConfig, "roles" | "channels">): string[] {
  const out: string[] = [];
  const check = (approvers: readonly string[] | undefined, minApprovals: number, where: string) => {
    if (!approvers || approvers.length === 0) return;
    let people = 0;
    let hasGroup = false;
    for (const entry of approvers) {
      const p = principalOf(entry);
      if (p.kind !== "role") {
        people++;
        hasGroup ||= p.kind === "group";
        continue;
      }
      const members = cfg.roles[p.value];
      if (members === undefined)
        out.push(`${where}: approvers name the ${p.value} role, which is not configured`);
      else if (members.length === 0) out.push(`${where}: the ${p.value} role has no members`);
      people += members?.length ?? 0;
      hasGroup ||= (members ?? []).some((m) => /^S[A-Z0-9]{2,}$/.test(m));
    }
    if (!hasGroup && people < minApprovals)
      out.push(`${where}: needs ${minApprovals} approvals but at most ${people} people can approve`);
    else if (!hasGroup && people === minApprovals && people > 0)
      out.push(
        `${where}: every one of the ${people} possible approvers must approve, and none of them may request it`,
      );
  };
  check(rb.approvers, rb.min_approvals, rb.name);
  rb.steps.forEach((s) => {
    if (s.approval)
      check(
        s.approval.approvers ?? rb.approvers,
        s.approval.min_approvals ?? rb.min_approvals,
        `${rb.name} step ${s.id}`,
      );
  });
  for (const c of rb.channels ?? []) {
    if (c !== "dm" && !(c in cfg.channels))
      out.push(`${rb.name}: channels names "${c}", which is not in the config's channels`);
  }
  return out;
}
