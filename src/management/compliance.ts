import { compareParsed, parseVersion, sameRelease } from "../lib/versions.js";

/** One entry of `firmware_baselines` in opsbot.yaml: exactly one of min or exact. */
export interface FirmwareBaseline {
  min?: string;
  exact?: string;
}

/**
 * - compliant: at or above the minimum, or equal to the exact version.
 * - below: older than the minimum. mismatch: not the exact version (older or newer).
 * - unknown: a baseline applies but the device's version is missing or unreadable.
 * - no-baseline: no baseline names this model (or the model is unknown).
 */
export type ComplianceStatus = "compliant" | "below" | "mismatch" | "unknown" | "no-baseline";

export interface ComplianceResult {
  status: ComplianceStatus;
  /** The baseline key that matched the model, and what it requires. */
  baseline?: { model: string; rule: "min" | "exact"; version: string };
}

/** Statuses that count as firmware drift in `firmware drift` and `fleet`. */
export const DRIFT_STATUSES: readonly ComplianceStatus[] = ["below", "mismatch", "unknown"];

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`, "i");
}

/**
 * The baseline for a model: an exact (case-insensitive) key wins; otherwise the first key with `*`
 * wildcards that matches ("WS-C3850-*"), in config order.
 */
export function findBaseline(
  model: string | undefined,
  baselines: Record<string, FirmwareBaseline>,
): { model: string; baseline: FirmwareBaseline } | undefined {
  if (!model) return undefined;
  const wanted = model.trim().toLowerCase();
  for (const [key, baseline] of Object.entries(baselines)) {
    if (key.trim().toLowerCase() === wanted) return { model: key, baseline };
  }
  for (const [key, baseline] of Object.entries(baselines)) {
    if (key.includes("*") && globToRegExp(key.trim()).test(model.trim())) return { model: key, baseline };
  }
  return undefined;
}

export function checkCompliance(
  model: string | undefined,
  version: string | undefined,
  baselines: Record<string, FirmwareBaseline>,
): ComplianceResult {
  const found = findBaseline(model, baselines);
  if (!found) return { status: "no-baseline" };
  const rule = found.baseline.exact !== undefined ? "exact" : "min";
  const required = (rule === "exact" ? found.baseline.exact : found.baseline.min) ?? "";
  const baseline = { model: found.model, rule, version: required } as const;
  const have = version ? parseVersion(version) : undefined;
  const want = parseVersion(required);
  if (!have || !want) return { status: "unknown", baseline };
  if (rule === "exact") return { status: sameRelease(have, want) ? "compliant" : "mismatch", baseline };
  return { status: compareParsed(have, want) >= 0 ? "compliant" : "below", baseline };
}
