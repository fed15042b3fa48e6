import type { Config } from "../config/schema.js";
import type { ChatUser } from "../lib/actor.js";

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
