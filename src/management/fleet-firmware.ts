import {
  type ComplianceResult,
  checkCompliance,
  DRIFT_STATUSES,
  type FirmwareBaseline,
} from "./compliance.js";
import type { FirmwareView } from "./fleet-query-types.js";
import type { Row } from "./fleet-sql.js";

/** Firmware answers: compliance judged once per distinct (model, version), which a fleet repeats a lot. */
export interface FirmwareJudge {
  judge(model: string | null, version: string | null): ComplianceResult;
  view(r: Row): FirmwareView;
}

export const FIRMWARE_COLUMNS =
  "name, model, software_rev, firmware_rev, version_source, entity_at, poll_interval_ms";

/** Order of a firmware list: what needs action first. */
const RANK: Record<ComplianceResult["status"], number> = {
  below: 0,
  mismatch: 1,
  unknown: 2,
  compliant: 3,
  "no-baseline": 4,
};

export function createFirmwareJudge(baselines: Record<string, FirmwareBaseline>): FirmwareJudge {
  const memo = new Map<string, ComplianceResult>();
  const judge = (model: string | null, version: string | null): ComplianceResult => {
    const key = `${model ?? ""}\u0000${version ?? ""}`;
    let result = memo.get(key);
    if (!result) {
      result = checkCompliance(model ?? undefined, version ?? undefined, baselines);
      if (memo.size > 10_000) memo.clear();
      memo.set(key, result);
    }
    return result;
  };
  return {
    judge,
    view(r) {
      const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
      const softwareRev = str(r.software_rev);
      const firmwareRev = str(r.firmware_rev);
      const version = softwareRev ?? firmwareRev;
      const model = str(r.model);
      return {
        device: String(r.name),
        model,
        version,
        softwareRev,
        firmwareRev,
        versionSource: str(r.version_source) as FirmwareView["versionSource"],
        compliance: judge(model, version),
        age: {
          polledAt: r.entity_at === null ? null : Number(r.entity_at),
          intervalMs: Number(r.poll_interval_ms),
        },
      };
    },
  };
}

export function sortFirmware(items: FirmwareView[], driftOnly: boolean): FirmwareView[] {
  const kept = driftOnly ? items.filter((f) => DRIFT_STATUSES.includes(f.compliance.status)) : items;
  return kept.sort(
    (a, b) => RANK[a.compliance.status] - RANK[b.compliance.status] || a.device.localeCompare(b.device),
  );
}
