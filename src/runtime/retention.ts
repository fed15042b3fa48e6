import type { Config } from "../config/schema.js";
import { parseDuration } from "../lib/clock.js";
import { managementRetentionRules } from "../management/retention.js";
import { orchestrationRetentionRules } from "../orchestration/retention.js";
import {
  freePages,
  incrementalVacuum,
  type PruneCount,
  pruneRules,
  type RetentionRule,
} from "../store/prune.js";
import type { Store } from "../store/store.js";

const DAY = 86_400_000;
const ms = (text: string, fallbackDays: number) => parseDuration(text) ?? fallbackDays * DAY;

/** Every table's retention rule, from `retention:` in the config, in the order they run. */
export function retentionRules(config: Pick<Config, "retention">, now: number): RetentionRule[] {
  const r = config.retention;
  return [
    ...managementRetentionRules(now, {
      changeLogMs: ms(r.change_log, 90),
      alertHistoryMs: ms(r.alert_history, 180),
      removedDevicesMs: ms(r.removed_devices, 30),
    }),
    ...orchestrationRetentionRules(now, {
      runOutputMs: ms(r.run_output, 30),
      runJournalMs: ms(r.run_journal, 365),
    }),
    {
      label: "audit rows older than the audit retention",
      table: "audit",
      key: "id",
      select: "SELECT id FROM audit WHERE at < ? ORDER BY id LIMIT ?",
      params: [now - ms(r.audit, 365)],
    },
  ];
}

export interface PruneReport {
  counts: PruneCount[];
  /** Pages given back to the file system (0 on a database created without incremental vacuum). */
  vacuumedPages: number;
  /** False when the database predates auto_vacuum = INCREMENTAL (`opsbot prune --vacuum` converts it). */
  incremental: boolean;
}

/** One prune: every rule in batches, then an incremental vacuum of the pages freed. */
export async function prune(
  store: Store,
  config: Pick<Config, "retention">,
  now: number,
  options: { dryRun?: boolean; shouldStop?: () => boolean } = {},
): Promise<PruneReport> {
  const counts = await pruneRules(store, retentionRules(config, now), {
    batch: config.retention.batch,
    ...options,
  });
  if (options.dryRun) return { counts, vacuumedPages: 0, incremental: true };
  const before = freePages(store);
  const incremental = incrementalVacuum(store, before);
  return { counts, vacuumedPages: incremental ? before - freePages(store) : 0, incremental };
}
