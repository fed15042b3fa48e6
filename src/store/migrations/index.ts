import { coreMigration } from "./0001-core.js";
import { managementMigration } from "./0002-management.js";
import { orchestrationMigration } from "./0003-orchestration.js";
import { backupsMigration } from "./0004-backups.js";
import { alertsMigration } from "./0006-alerts.js";
import { inventoryMigration } from "./0007-inventory.js";
import { ownerMigration } from "./0100-owner.js";
import { auditAccessMigration } from "./0110-audit-access.js";
import { opsMigration } from "./0130-ops.js";
import { alertmanagerMigration } from "./0131-alertmanager.js";
import { alertmanagerActionsMigration } from "./0132-alertmanager-actions.js";
import { alertmanagerSilenceEndMigration } from "./0133-alertmanager-silence-end.js";
import { seriesBlocksMigration } from "./0140-series-blocks.js";
import { scopeAggregatesMigration } from "./0160-scope-aggregates.js";
import { historyMigration } from "./0161-history.js";
import { runJournalByRunMigration } from "./0164-run-journal-by-run.js";
import { runStepsStatusCheckMigration } from "./0165-run-steps-status-check.js";
import { slackDeliveriesMigration } from "./0170-slack-deliveries.js";
import { slackOutboxSpillMigration } from "./0171-slack-outbox-spill.js";
import type { Migration } from "./migration.js";

/**
 * Numbered migrations, applied in id order at start-up, each in its own transaction and recorded in
 * `schema_migrations`. Never edit a released migration: add the next number. Subsystems own their
 * numbers: 1 core, 2 management (SNMP cache + change log), 3 orchestration (runbook versions, runs,
 * journal), 4 ssh/backups, 6 alerts (5 was set aside for Slack and never used), 7 inventory; later
 * issues take numbered blocks (100 owner lease and removed devices, 110 access and audit, 130 ops
 * counters and Alertmanager groups (132 their silences and acks, 133 how a silence ended), 140 history series in compact blocks,
 * 160 management scope aggregates, 161 history time series (superseded by 140's blocks), 164 the run journal keyed by run, 165 run_steps' status CHECK without an IN list, 170 Slack
 * deliveries, 171 Slack outbox spill).
 */
export const migrations: Migration[] = [
  coreMigration,
  managementMigration,
  orchestrationMigration,
  backupsMigration,
  alertsMigration,
  inventoryMigration,
  ownerMigration,
  auditAccessMigration,
  opsMigration,
  alertmanagerMigration,
  alertmanagerActionsMigration,
  alertmanagerSilenceEndMigration,
  seriesBlocksMigration,
  scopeAggregatesMigration,
  historyMigration,
  runJournalByRunMigration,
  runStepsStatusCheckMigration,
  slackDeliveriesMigration,
  slackOutboxSpillMigration,
];
