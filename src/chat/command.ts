import type { Config } from "../config/schema.js";
import type { ChatUser } from "../lib/actor.js";
import type { Clock } from "../lib/clock.js";
import type { Logger } from "../lib/logger.js";
import type { Redactor } from "../lib/redact.js";
import type { AlertService } from "../management/alerts/service.js";
import type { BackupService } from "../management/backups/types.js";
import type { FleetQueries } from "../management/fleet-view.js";
import type { HistoryService } from "../management/history/history-service.js";
import type { PollerControl } from "../management/poller.js";
import type { OrchestrationService } from "../orchestration/service.js";
import type { AuditRepo } from "../store/audit-repo.js";
import type { Store } from "../store/store.js";
import type { Form } from "./form.js";
import type { ChatPort } from "./port.js";
import type { Reply } from "./reply.js";
import type { RunReporter } from "./run-reporter/types.js";

export type ArgType = "string" | "int" | "bool" | "duration" | "enum" | "device";

export interface ArgSpec {
  name: string;
  type: ArgType;
  description: string;
  /** positional (in order), option (`key=value` or `--key value`), flag (`--name`, boolean). */
  kind: "positional" | "option" | "flag";
  required?: boolean;
  default?: string | number | boolean;
  /** For type "enum". */
  choices?: string[];
  /** Last positional only: collects every remaining positional word into one string. */
  rest?: boolean;
}

/** Parsed argument values, keyed by ArgSpec.name. Options the spec does not declare land in `extra`. */
export interface ParsedArgs {
  values: Record<string, string | number | boolean | undefined>;
  /** Undeclared key=value pairs, for commands such as `run <runbook> k=v` that take free parameters. */
  extra: Record<string, string>;
}

/**
 * What handlers may use. Subsystems add their read/write interfaces here; the composition root
 * (src/main.ts) fills them. Commands never construct clients themselves.
 */
export interface Services {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  chat: ChatPort;
  audit: AuditRepo;
  /** Knows every configured secret; apply before anything reaches the store, logs or chat. */
  redactor: Redactor;
  /** Every registered command, for help. */
  commands: readonly CommandSpec[];
  /** Read-only view of the device cache (management): links, drives, firmware, fleet counts. */
  fleet?: FleetQueries;
  /** Time series, change timeline and charts (management). */
  history?: HistoryService;
  /** Polls a device on demand (management); absent where no poller runs. */
  poller?: PollerControl;
  /** Config backups over SSH (management): versions, diffs, run now. */
  backups?: BackupService;
  /** Runbooks and runs (src/orchestration); absent when the composition root does not wire it. */
  orchestration?: OrchestrationService;
  /** Posts and maintains each run's parent message and thread (absent: runs are only shown on request). */
  runReporter?: RunReporter;
  /** Alerts (management): list, ack, silence; absent where no alert engine runs. */
  alerts?: AlertService;
}

export interface CommandContext {
  user: ChatUser;
  channel: string;
  threadTs?: string;
  /** The raw text, for audit and for commands that need it. */
  text: string;
  services: Services;
}

export interface CommandSpec {
  /** One or two words: "links", "links down", "run status". Lowercase. */
  name: string;
  aliases?: string[];
  summary: string;
  /** Longer help shown by `help <command>`. */
  description?: string;
  args?: ArgSpec[];
  /** Accept undeclared key=value options (they land in ParsedArgs.extra). */
  allowExtraOptions?: boolean;
  examples: string[];
  /** True when the command changes anything (polls a device, starts a run, acks an alert). */
  sideEffects: boolean;
  /** Role needed to run it; absent means anyone known to opsbot. `admin` may run everything. */
  role?: string;
  handler(args: ParsedArgs, ctx: CommandContext): Promise<Reply> | Reply;
}

/** A button click or numbered console choice, routed by action id. */
export interface ActionContext {
  user: ChatUser;
  channel: string;
  /** The message that carried the button, when the transport knows it. */
  message?: { channel: string; ts: string; threadTs?: string };
  services: Services;
  /** Opens a form for the clicking user (Slack: a modal); absent where the transport has none. */
  openForm?(form: Form): Promise<void>;
}

export interface ActionSpec {
  /** Exact action id, e.g. "run.approve". */
  actionId: string;
  /** Role needed, as for commands. Fine-grained checks (approver lists) happen in the handler. */
  role?: string;
  handler(value: string, ctx: ActionContext): Promise<Reply | undefined> | Reply | undefined;
}

export function defineCommand(spec: CommandSpec): CommandSpec {
  return spec;
}

export function defineAction(spec: ActionSpec): ActionSpec {
  return spec;
}
