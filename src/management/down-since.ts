import type { OperStatus } from "./observations.js";

/**
 * When a port that is not up went down, in ms since the epoch. Pure.
 *
 * ifLastChange is the sysUpTime at the port's last oper status change, so the change happened
 * (sysUpTime - ifLastChange) before the poll; 0 means "before the agent started", i.e. down since the
 * agent's boot. When that cannot be worked out (no sysUpTime this poll, or ifLastChange ahead of it
 * after a TimeTicks wrap), a port that was already down keeps its earlier time, and a port seen going
 * down now is dated at this poll. Rounded to the second so the value does not jitter between polls.
 */
export function downSince(
  port: { operStatus: OperStatus; lastChangeCs: number },
  uptimeCs: number | null | undefined,
  at: number,
  previous?: { operStatus: OperStatus; downSince: number | null },
): number | null {
  if (port.operStatus === "up") return null;
  if (uptimeCs !== null && uptimeCs !== undefined && port.lastChangeCs <= uptimeCs) {
    return Math.round((at - (uptimeCs - port.lastChangeCs) * 10) / 1000) * 1000;
  }
  if (previous && previous.operStatus !== "up" && previous.downSince !== null) return previous.downSince;
  return at;
}
