/**
 * Octet counter rates between two polls. Pure.
 *
 * A counter that went down between two samples either wrapped (Counter32 passes 2^32 - 1 in minutes
 * on a busy link) or was reset (the agent restarted, or someone cleared the counters). sysUpTime tells
 * a restart apart: when it went down (and did not just wrap itself), every counter is reseeded and no
 * rate is reported. Counter64 never wraps in practice, so a Counter64 going down is a reset.
 * Counter64 values exceed 2^53, so arithmetic stays in bigint until the delta.
 */
const TIMETICKS_MODULUS = 2 ** 32;
const COUNTER32_MODULUS = 2n ** 32n;

export type UptimeContinuity = "continuous" | "restarted" | "unknown";

/** Slack for the time between reading sysUpTime and finishing a poll, which varies from poll to poll. */
function toleranceMs(elapsedMs: number): number {
  return 60_000 + elapsedMs * 0.05;
}

/**
 * Did the agent keep running between two sysUpTime readings `elapsedMs` apart? sysUpTime is TimeTicks
 * and itself wraps after 497 days: a lower reading that matches the wrapped expectation is continuous.
 */
export function uptimeContinuity(
  prevCs: number | null | undefined,
  curCs: number | null | undefined,
  elapsedMs: number,
): UptimeContinuity {
  if (prevCs === null || prevCs === undefined || curCs === null || curCs === undefined) return "unknown";
  const slackCs = toleranceMs(elapsedMs) / 10;
  const expectedCs = prevCs + elapsedMs / 10;
  if (curCs >= prevCs) {
    // Uptime advanced far less than the wall clock: the agent restarted and has been up a while again.
    return curCs - prevCs < elapsedMs / 10 - slackCs ? "restarted" : "continuous";
  }
  if (expectedCs >= TIMETICKS_MODULUS && Math.abs(expectedCs - TIMETICKS_MODULUS - curCs) <= slackCs) {
    return "continuous";
  }
  return "restarted";
}

/** Seconds between two samples: the agent's own clock when it ran throughout, else the poller's. */
export function sampleSeconds(
  prev: { at: number; uptimeCs: number | null },
  cur: { at: number; uptimeCs: number | null },
  continuity: UptimeContinuity,
): number {
  if (continuity === "continuous" && prev.uptimeCs !== null && cur.uptimeCs !== null) {
    const deltaCs = (cur.uptimeCs - prev.uptimeCs + TIMETICKS_MODULUS) % TIMETICKS_MODULUS;
    if (deltaCs > 0) return deltaCs / 100;
  }
  return (cur.at - prev.at) / 1000;
}

export type RateOutcome =
  | { kind: "rate"; bps: number; wrapped: boolean }
  /** The counter went backwards and cannot have wrapped: reseed. */
  | { kind: "reset" }
  /** Counter32 on a link fast enough to wrap more than once between polls: the count is unknowable. */
  | { kind: "ambiguous" }
  | { kind: "no-interval" };

/**
 * Bits per second between two readings of one octet counter of `bits` width, `seconds` apart, on a
 * link of `speedMbps` (0 = unknown).
 */
export function octetRate(
  prev: bigint,
  cur: bigint,
  bits: 32 | 64,
  seconds: number,
  speedMbps: number,
): RateOutcome {
  if (!(seconds > 0)) return { kind: "no-interval" };
  let delta = cur - prev;
  let wrapped = false;
  if (bits === 32) {
    const maxOctets = speedMbps > 0 ? (speedMbps * 1e6 * seconds) / 8 : 0;
    if (maxOctets >= Number(COUNTER32_MODULUS)) return { kind: "ambiguous" };
    if (delta < 0n) {
      delta += COUNTER32_MODULUS;
      wrapped = true;
    }
    if (delta < 0n) return { kind: "reset" };
    const bps = (Number(delta) * 8) / seconds;
    // A "wrap" that implies more than the line rate was really a counter clear.
    if (wrapped && speedMbps > 0 && bps > speedMbps * 1e6 * 1.1) return { kind: "reset" };
    return { kind: "rate", bps, wrapped };
  }
  if (delta < 0n) return { kind: "reset" };
  return { kind: "rate", bps: (Number(delta) * 8) / seconds, wrapped: false };
}
