import { userInfo } from "node:os";

/**
 * Acting as someone else (`as bob` in the console, `opsbot ask --as bob`) is recorded with the
 * operating-system user who did it: the audit row names both. Kept to one small function so the
 * control socket (a later `ask --as` over it) can send the same record.
 */
export function impersonation(identity: string, osUser: string | undefined): { actingFor?: string } {
  if (osUser === undefined || osUser === "" || osUser === identity) return {};
  return { actingFor: `os:${osUser}` };
}

/** The operating-system user running this process; undefined where the OS will not say. */
export function osUserName(env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? env.LOGNAME ?? undefined;
  }
}
