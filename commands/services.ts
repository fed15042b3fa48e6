import {
  type ActionContext,
  type ActionSpec,
  type CommandContext,
  type CommandSpec,
  defineAction as defineChatAction,
  defineCommand as defineChatCommand,
  type ParsedArgs,
} from "../src/chat/command.js";
import type { Config } from "../src/config/schema.js";
import type { Clock } from "../src/lib/clock.js";
import type { Logger } from "../src/lib/logger.js";
import type { Redactor } from "../src/lib/redact.js";
import type { AlertmanagerService } from "../src/management/alertmanager/service.js";
import type { AlertService } from "../src/management/alerts/service.js";
import type { BackupService } from "../src/management/backups/types.js";
import type { FleetQueries } from "../src/management/fleet-query-types.js";
import type { HistoryService } from "../src/management/history/history-service.js";
import type { InventoryService } from "../src/management/inventory/service.js";
import type { PollerControl } from "../src/management/poller.js";
import type { RunReporter } from "../src/orchestration/presenters/run-reporter.js";
import type { OrchestrationService } from "../src/orchestration/service.js";
import type { AuditRepo } from "../src/store/audit-repo.js";

/**
 * What command handlers may use: one read/write interface per subsystem, all present. The composition
 * root (src/main.ts) fills them; a mode without a poller gets one that says so when asked. The chat
 * core never names this type — it lives here, above both subsystems, with the commands that use it.
 */
export interface Services {
  config: Config;
  clock: Clock;
  logger: Logger;
  audit: AuditRepo;
  /** Knows every configured secret; apply before anything reaches the store, logs or chat. */
  redactor: Redactor;
  /** Every registered command, for help. */
  commands: readonly Command[];
  /** Read-only view of the device cache (management): links, drives, firmware, fleet counts. */
  fleet: FleetQueries;
  /** Time series, change timeline and charts (management). */
  history: HistoryService;
  /** Polls a device on demand (management). */
  poller: PollerControl;
  /** Config backups over SSH (management): versions, diffs, run now. */
  backups: BackupService;
  /** Runbooks and runs (orchestration). */
  orchestration: OrchestrationService;
  /** Posts and maintains each run's parent message and thread (orchestration's presenter). */
  runReporter: RunReporter;
  /** Alerts (management): list, ack, silence. */
  alerts: AlertService;
  /** Alertmanager groups (management): silences in Alertmanager, acks, suggested runs. */
  alertmanager: AlertmanagerService;
  /** Where devices come from (YAML, NetBox, Ansible): status, refresh, diff, check (management). */
  inventory: InventoryService;
}

/**
 * The services every core has from the start (the store's answers, config, audit); the others come
 * with the subsystems, which the one-shot `opsbot ask` builds only for a command that `uses` one.
 */
export const BASE_SERVICES = [
  "config",
  "clock",
  "logger",
  "audit",
  "redactor",
  "commands",
  "fleet",
  "inventory",
] as const satisfies readonly (keyof Services)[];
export type BaseServiceKey = (typeof BASE_SERVICES)[number];
/** Services built with the subsystems. */
export type SubsystemServiceKey = Exclude<keyof Services, BaseServiceKey>;

export type Command = CommandSpec<Services>;
export type Action = ActionSpec<Services>;
export type Context = CommandContext<Services>;
export type ClickContext = ActionContext<Services>;

/**
 * A chat command written against opsbot's services. With `uses` it names the subsystem services it
 * needs (besides the base ones) and its handler sees only those, so a one-shot call that builds
 * services on first use cannot miss one; without `uses` it sees, and a one-shot call builds, all.
 */
export function defineCommand<U extends SubsystemServiceKey = never>(
  spec: Omit<CommandSpec<Pick<Services, BaseServiceKey | U>>, "uses"> & {
    uses: readonly U[] | ((args: ParsedArgs) => readonly U[]);
  },
): Command;
export function defineCommand(spec: Command): Command;
export function defineCommand(spec: Command): Command {
  return defineChatCommand(spec);
}

/** A button (or numbered console choice) handler written against opsbot's services. */
export function defineAction(spec: Action): Action {
  return defineChatAction(spec);
}
