import { writeFileSync } from "node:fs";
import { loadConfig } from "../main.js";
import { approvalWarnings } from "../orchestration/access.js";
import { accessConfigOf } from "../orchestration/gatekeeper.js";
import { runbookFilesIn, validateRunbookFiles } from "../orchestration/runbooks/catalog.js";
import { RUNBOOK_SCHEMA_FILE, runbookJsonSchema } from "../orchestration/runbooks/json-schema.js";
import { formatProblem } from "../orchestration/runbooks/problems.js";
import { GLOBAL_HELP, GLOBAL_OPTIONS, parseFlags, type Subcommand, settingsFrom } from "./common.js";

const usage = "opsbot runbook validate [FILE…] | list | schema [--write]";

/**
 * Runbook tooling that needs no running bot: `validate` for the runbook repository's own CI (exit 1
 * with every problem, located), `list`, and `schema` (the JSON Schema editors use).
 */
export const runbook: Subcommand = {
  summary: "Validate or list runbooks, or print their JSON Schema",
  usage: `${usage}

  validate [FILE…]  check runbook files (default: every file in orchestration.runbooks_dir);
                    prints each problem as file:line:col: field: what is expected, exit 1 if any
  list              the runbooks in orchestration.runbooks_dir with their version hash
  schema            print the runbook JSON Schema; --write updates ${RUNBOOK_SCHEMA_FILE}
  --dir DIR         runbooks directory instead of the configured one
${GLOBAL_HELP}`,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { ...GLOBAL_OPTIONS, dir: { type: "string" }, write: { type: "boolean" } },
      usage,
    );
    const [action, ...files] = positionals;
    if (values.help || action === undefined) {
      process.stdout.write(`Usage: ${this.usage}\n`);
      return values.help ? 0 : 1;
    }
    const dir = () => values.dir ?? loadConfig(settingsFrom(values)).orchestration.runbooks_dir;
    switch (action) {
      case "schema":
        if (values.write) {
          writeFileSync(RUNBOOK_SCHEMA_FILE, runbookJsonSchema());
          process.stdout.write(`wrote ${RUNBOOK_SCHEMA_FILE}\n`);
        } else process.stdout.write(runbookJsonSchema());
        return 0;
      case "validate": {
        const paths = files.length > 0 ? files : runbookFilesIn(dir());
        const { versions, problems } = validateRunbookFiles(paths);
        for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
        // Approvals nobody could give under the configured roles: warned about, not fatal.
        const cfg = accessConfigOf(loadConfig(settingsFrom(values)));
        for (const v of versions)
          for (const w of approvalWarnings(v.runbook, cfg))
            process.stderr.write(`${v.file}: warning: ${w}\n`);
        const bad = new Set(problems.map((p) => p.file)).size;
        process.stdout.write(
          `${versions.length} valid, ${bad} invalid (${problems.length} problem${problems.length === 1 ? "" : "s"})\n`,
        );
        return problems.length > 0 ? 1 : 0;
      }
      case "list": {
        const { versions, problems } = validateRunbookFiles(runbookFilesIn(dir()));
        const width = Math.max(4, ...versions.map((v) => v.name.length));
        for (const v of versions) {
          process.stdout.write(
            `${v.name.padEnd(width)}  ${v.hash.slice(0, 12)}  ${v.runbook.description ?? ""}\n`,
          );
        }
        for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
        return problems.length > 0 ? 1 : 0;
      }
      default:
        process.stderr.write(`opsbot runbook: unknown action "${action}".\nUsage: ${usage}\n`);
        return 1;
    }
  },
};
