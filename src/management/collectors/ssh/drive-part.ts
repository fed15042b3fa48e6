/** What the SSH collector's parts (SMART, RAID) hand back to it, and how they judge a command's result. */
import type { ExecResult } from "../../../lib/ssh/types.js";
import type { CollectorError, DriveObservation, DriveSource } from "../../observations.js";

/** What each part returns: drive items of the sources it fully collected. */
export interface DrivePart {
  sources: DriveSource[];
  items: DriveObservation[];
  errors: CollectorError[];
}

/** Why a command's output cannot be used, or undefined. */
export function commandProblem(what: string, r: ExecResult): string | undefined {
  if (r.timedOut) return `${what} timed out after ${Math.round(r.durationMs / 1000)} s`;
  if (r.exitCode === 127) return `${what}: command not found on the host`;
  if (r.truncated) return `${what}: output exceeded the size cap`;
  return undefined;
}
