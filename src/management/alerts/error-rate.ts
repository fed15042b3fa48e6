import type { Store } from "../../store/store.js";
import type { ClassifyContext } from "./classify.js";
import { alertKey, type RuleEvent, type RuleSettings } from "./types.js";

/**
 * Interface error rate with hysteresis. Error counters are not in the change log (they change on
 * every poll), so the engine samples them from the device cache for devices polled since its last pass.
 */
export interface ErrorSample {
  device: string;
  port: string;
  alias: string;
  errors: number;
  at: number;
}

/**
 * Pure: the event for one port given its previous and current sample and whether its alert is open.
 * At or above `threshold` → bad; below `clearThreshold` → ok; in between → no event (the state holds).
 */
export function errorRateEvent(
  prev: { errors: number; at: number } | undefined,
  cur: ErrorSample,
  open: boolean,
  rule: RuleSettings,
): RuleEvent | undefined {
  if (!prev || cur.at <= prev.at || cur.errors < prev.errors) return undefined; // first sample or counter reset
  const perMin = ((cur.errors - prev.errors) * 60_000) / (cur.at - prev.at);
  const value = `${perMin.toFixed(perMin < 10 ? 1 : 0)} errors/min`;
  const base = {
    key: alertKey(cur.device, "error_rate", cur.port),
    device: cur.device,
    rule: "error_rate" as const,
  };
  const common = {
    ...base,
    object: cur.port,
    severity: "warning" as const,
    value,
    at: cur.at,
    detail: { perMin },
  };
  if (perMin >= rule.threshold) return { ...common, condition: "bad" };
  if (open && perMin < rule.clearThreshold) return { ...common, condition: "ok" };
  return undefined;
}

/** Reads and stores error samples; `sample` returns the new samples with the previous ones. */
export function createErrorSampler(store: Store, classify: ClassifyContext) {
  const db = store.db;
  const polled = db.prepare(
    `SELECT i.device, i.name, i.alias, i.in_errors + i.out_errors AS errors, i.polled_at
       FROM device_state d JOIN interface_state i ON i.device = d.name
      WHERE d.last_ok_at > ? AND i.admin_status = 'up' AND i.polled_at > ?`,
  );
  const prevStmt = db.prepare("SELECT errors, at FROM alert_error_sample WHERE device = ? AND port = ?");
  const put = db.prepare(
    "INSERT INTO alert_error_sample (device, port, errors, at) VALUES (?, ?, ?, ?) ON CONFLICT(device, port) DO UPDATE SET errors = excluded.errors, at = excluded.at",
  );
  return {
    /** Samples of watched ports polled after `since`, each with its previous sample. */
    read(since: number): { cur: ErrorSample; prev: { errors: number; at: number } | undefined }[] {
      const rows = polled.all(since, since) as {
        device: string;
        name: string;
        alias: string;
        errors: number;
        polled_at: number;
      }[];
      return rows
        .filter((r) => classify.portMatters(r.device, r.name, r.alias))
        .map((r) => ({
          cur: {
            device: r.device,
            port: r.name,
            alias: r.alias,
            errors: Number(r.errors),
            at: Number(r.polled_at),
          },
          prev: prevStmt.get(r.device, r.name) as { errors: number; at: number } | undefined,
        }));
    },
    /** Call inside the pass's transaction. */
    save(samples: ErrorSample[]): void {
      for (const s of samples) put.run(s.device, s.port, s.errors, s.at);
    },
  };
}
