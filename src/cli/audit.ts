import { auditFilterOf } from "../../commands/audit.js";
import { systemClock } from "../lib/clock.js";
import { Redactor } from "../lib/redact.js";
import { configSecrets, configuredNames, envSecrets, loadConfig } from "../main.js";
import { type AuditRow, createAuditRepo } from "../store/audit-repo.js";
import { openStore } from "../store/store.js";
import { GLOBAL_HELP, GLOBAL_OPTIONS, parseFlags, type Subcommand, settingsFrom } from "./common.js";

const usage =
  "opsbot audit export [--since 7d] [--until DATE] [--user U] [--command C] [--outcome O] [--run N] [--channel C]";

/**
 * `opsbot audit export`: the audit log as JSON Lines on stdout, oldest first, for a SIEM. Rows were
 * redacted when written; they pass through today's redactor again on the way out (a secret added to
 * the config since is masked in old rows too).
 */
export const audit: Subcommand = {
  summary: "Export the audit log as JSON Lines (for a SIEM), filtered by time, user, outcome…",
  usage: `${usage}

  --since WHEN    a duration back from now (7d, 12h) or a date (2026-11-30); default everything
  --until WHEN    the same, exclusive
  --user U        a user id or name          --command C   a command name or button action id
  --outcome O     ok | user_error | denied | unknown_command | error
  --run N         rows about run N           --channel C   a channel id or name
${GLOBAL_HELP}`,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        ...GLOBAL_OPTIONS,
        since: { type: "string" },
        until: { type: "string" },
        user: { type: "string" },
        command: { type: "string" },
        outcome: { type: "string" },
        run: { type: "string" },
        channel: { type: "string" },
      },
      usage,
    );
    if (values.help) {
      process.stdout.write(`Usage: ${this.usage}\n`);
      return 0;
    }
    if (positionals[0] !== "export" || positionals.length > 1) {
      process.stderr.write(`opsbot audit: say what to do.\nUsage: ${usage}\n`);
      return 1;
    }
    const settings = settingsFrom(values);
    const config = loadConfig(settings);
    const filter = auditFilterOf(values, systemClock.now());
    const redactor = new Redactor(
      [...configSecrets(config).map((s) => s.value), ...envSecrets(settings)],
      configuredNames(config),
    );
    const store = openStore(settings.dbPath);
    try {
      const lines: string[] = [];
      const flush = () => {
        if (lines.length > 0) process.stdout.write(`${lines.join("\n")}\n`);
        lines.length = 0;
      };
      createAuditRepo(store).each(filter, (row) => {
        lines.push(JSON.stringify(auditJson(row, (t) => redactor.redact(t))));
        if (lines.length >= 500) flush();
      });
      flush();
      return 0;
    } finally {
      store.close();
    }
  },
};

/** One audit row as a SIEM reads it: snake_case keys, an ISO time, every text field redacted. */
export function auditJson(row: AuditRow, redact: (text: string) => string): Record<string, unknown> {
  return {
    id: row.id,
    time: new Date(row.at).toISOString(),
    user_id: row.userId,
    user_name: row.userName,
    ...(row.actingFor ? { acting_for: row.actingFor } : {}),
    channel: row.channel,
    transport: row.transport,
    kind: row.kind,
    ...(row.command ? { command: row.command } : {}),
    text: redact(row.text),
    outcome: row.outcome,
    ...(row.detail ? { detail: redact(row.detail) } : {}),
    ...(row.runId !== undefined ? { run_id: row.runId } : {}),
  };
}
