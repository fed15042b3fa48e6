import * as z from "zod";

/**
 * Who may do what, as the config says it: role grants (optionally limited to channels) and
 * break-glass approvals. Runbook runners and approvers live in the runbooks; their defaults in
 * `orchestration`.
 */
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "a name of letters, digits, '.', '_' or '-'");

/** A logical channel name from `channels:`, or `dm` (direct messages with opsbot). */
export const channelScopeSchema = z
  .array(name)
  .min(1, "list at least one channel (an empty list would allow nowhere)")
  .describe("Logical channel names from the config's channels: map, or dm for direct messages.");

/**
 * A role grant: a list of members, or `{ members, channels }` when the role only holds in some
 * channels (the member has the role there and nowhere else).
 */
export const roleGrantSchema = z.union(
  [
    z.array(z.string().min(1)),
    z.object({ members: z.array(z.string().min(1)), channels: channelScopeSchema }).strict(),
  ],
  { error: "expected a list of members, or { members: [...], channels: [...] }" },
);

export const approvalsSchema = z
  .object({
    /**
     * Off unless set: members of `role` may approve a run they could not normally approve (their own
     * included) with a mandatory reason; announced in `announce` (a logical channel) and the run's thread.
     */
    break_glass: z
      .object({ role: name, announce: z.string().min(1) })
      .strict()
      .optional(),
  })
  .strict();

export type RoleGrant = z.infer<typeof roleGrantSchema>;

/** Members by role, and the channels each scoped role is limited to. */
export function splitRoleGrants(grants: Record<string, RoleGrant>): {
  roles: Record<string, string[]>;
  role_channels: Record<string, string[]>;
} {
  const roles: Record<string, string[]> = {};
  const role_channels: Record<string, string[]> = {};
  for (const [role, grant] of Object.entries(grants)) {
    if (Array.isArray(grant)) roles[role] = grant;
    else {
      roles[role] = grant.members;
      role_channels[role] = grant.channels;
    }
  }
  return { roles, role_channels };
}
