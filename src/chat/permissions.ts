import type { Config } from "../config/schema.js";
import type { ChatUser } from "../lib/actor.js";
import { type ChannelRef, describeScope, inScope } from "../lib/channel-scope.js";

/** The role that may run everything. */
export const ADMIN_ROLE = "admin";

/**
 * Roles of a user from the config: a role lists members by console name, Slack user id (`U…`) or
 * Slack user group id (`S…`, resolved by the Slack adapter and passed in `groups`).
 */
export function rolesFor(
  config: Config,
  identity: { id: string; name: string; groups?: string[] },
): string[] {
  const keys = new Set([identity.id, identity.name, ...(identity.groups ?? [])].map((k) => k.toLowerCase()));
  return Object.entries(config.roles)
    .filter(([, members]) => members.some((m) => keys.has(m.toLowerCase())))
    .map(([role]) => role)
    .sort();
}

/** May this user run something that requires `role` (undefined = anyone)? */
export function hasRole(user: ChatUser, role: string | undefined): boolean {
  return role === undefined || user.roles.includes(role) || user.roles.includes(ADMIN_ROLE);
}

/** A user as they stand in one channel: roles limited to other channels are withheld here. */
export interface ScopedUser {
  user: ChatUser;
  /** Role → where it does hold, for the roles withheld in this channel. */
  withheld: Record<string, string[]>;
}

/** Drops the roles whose grant is limited to channels other than `where`. */
export function scopeRoles(
  config: Pick<Config, "channels" | "role_channels">,
  user: ChatUser,
  where: ChannelRef,
): ScopedUser {
  const limits = config.role_channels ?? {};
  const withheld: Record<string, string[]> = {};
  const roles = user.roles.filter((role) => {
    const scope = limits[role];
    if (scope === undefined || inScope(scope, where, config.channels)) return true;
    withheld[role] = scope;
    return false;
  });
  return { user: { ...user, roles }, withheld };
}

/** "`refresh` needs the oncall role (or admin)…" with where a withheld role would hold. */
export function roleRefusal(
  what: string,
  role: string,
  scoped: ScopedUser,
  channels: Record<string, string>,
): string {
  const held = scoped.withheld[role] ?? scoped.withheld[ADMIN_ROLE];
  if (held) {
    return `${what} needs the ${role} role, which ${scoped.user.name} holds only in ${describeScope(held, channels)}. Ask there.`;
  }
  return `${what} needs the ${role} role, which you (${scoped.user.name}) don't have (${ADMIN_ROLE} may run everything). Ask an admin to add you to it in the config.`;
}
