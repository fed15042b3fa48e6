import type { RouteResult } from "../chat/router.js";

/**
 * The owner's control socket: one JSON line in, one JSON line out, per connection.
 *
 * Trust model: whoever can open the socket can act as any configured user, exactly like whoever can
 * write the database file (both are created 0600, owned by the bot's user). The user name travels in
 * the request; its roles come from the owner's config, never from the caller.
 */
export interface ControlRequest {
  v: 1;
  text: string;
  /** Console-style user name (`--as`, $OPSBOT_USER, console.user or the login). */
  user: string;
}

export type ControlResponse =
  | ({ ok: true; pid: number } & Pick<RouteResult, "reply" | "outcome" | "command">)
  | { ok: false; pid: number; error: string };

/** Requests larger than this are refused (a command line is a few hundred bytes). */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** Unix socket paths longer than this do not fit in sockaddr_un on Linux. */
export const MAX_SOCKET_PATH = 107;

export function defaultSocketPath(dbPath: string): string {
  return `${dbPath}.sock`;
}
