import { uptimeContinuity } from "../counters.js";
import type { DeviceObservation } from "../observations.js";
import type { InterfaceStateRow, PollWrite, PreviousState } from "../state-rows.js";
import type { DriveMetric, Sample } from "./metrics.js";

/** The series key of a port: the change log's key for it (its name, else "ifIndex N"). */
export const portObject = (p: { name: string; ifIndex: number }) => p.name || `ifIndex ${p.ifIndex}`;

const DRIVE_DETAIL: Record<DriveMetric, string> = {
  temperature_c: "temperatureC",
  reallocated_sectors: "reallocatedSectors",
  pending_sectors: "pendingSectors",
};

/**
 * The series values one poll produces. Pure: it reads the state before the poll and what the poll
 * writes. An unreachable device records null for every series it had (a gap, never a joined line);
 * so does the first poll after one, whose counter deltas span the outage and would smear it.
 */
export function pollSamples(
  prev: PreviousState,
  write: PollWrite,
  obs: Pick<DeviceObservation, "reachable" | "durationMs">,
): Sample[] {
  const device = prev.device.name;
  const out: Sample[] = [{ device, object: "", metric: "reachable", value: obs.reachable ? 1 : 0 }];
  if (obs.durationMs !== undefined) {
    out.push({ device, object: "", metric: "poll_ms", value: obs.durationMs });
  }
  const push = (object: string, metric: Sample["metric"], value: number | null) =>
    out.push({ device, object, metric, value });

  if (!obs.reachable) {
    for (const p of prev.interfaces) {
      for (const m of ["in_bps", "out_bps", "errors_ps", "discards_ps"] as const)
        push(portObject(p), m, null);
    }
    for (const d of prev.drives) {
      for (const [metric, key] of Object.entries(DRIVE_DETAIL)) {
        if (typeof d.detail?.[key] === "number") push(d.key, metric as DriveMetric, null);
      }
    }
    return out;
  }

  const afterOutage = prev.device.reachable === false;
  if (write.interfaces) {
    const before = new Map(prev.interfaces.map((p) => [p.ifIndex, p]));
    for (const r of write.interfaces.rows) {
      const p = before.get(r.ifIndex);
      const key = portObject(r);
      push(key, "in_bps", afterOutage ? null : wholeBits(r.inBps));
      push(key, "out_bps", afterOutage ? null : wholeBits(r.outBps));
      const rates = afterOutage || !p ? undefined : counterRates(p, r);
      push(key, "errors_ps", rates?.errors ?? null);
      push(key, "discards_ps", rates?.discards ?? null);
    }
  }
  if (write.drives) {
    for (const d of write.drives.rows) {
      for (const [metric, key] of Object.entries(DRIVE_DETAIL)) {
        const v = d.detail?.[key];
        if (typeof v === "number" && Number.isFinite(v)) push(d.key, metric as DriveMetric, v);
      }
    }
  }
  return out;
}

/**
 * Traffic in whole bit/s: a fraction of a bit per second tells nobody anything, and a whole number is
 * stored in about half the bytes of a fraction (series-block.ts).
 */
const wholeBits = (bps: number | null) => (bps === null ? null : Math.round(bps));

/**
 * Errors and discards per second between two samples of one port. Unknown (null) when the agent
 * restarted or a counter went backwards (cleared): a reset is not a negative rate.
 */
export function counterRates(
  p: InterfaceStateRow,
  r: InterfaceStateRow,
): { errors: number | null; discards: number | null } {
  const elapsedMs = r.polledAt - p.polledAt;
  if (!(elapsedMs > 0)) return { errors: null, discards: null };
  if (uptimeContinuity(p.sampleUptimeCs, r.sampleUptimeCs, elapsedMs) === "restarted") {
    return { errors: null, discards: null };
  }
  const rate = (before: number, after: number) =>
    after >= before ? (after - before) / (elapsedMs / 1000) : null;
  return {
    errors: rate(p.inErrors + p.outErrors, r.inErrors + r.outErrors),
    discards: rate(p.inDiscards + p.outDiscards, r.inDiscards + r.outDiscards),
  };
}
