import { ask } from "./ask.js";
import { GLOBAL_HELP, GLOBAL_OPTIONS, parseFlags, type Subcommand } from "./common.js";

const usage = "opsbot inventory [check|diff|refresh|status] [--as USER] [--json] [--config FILE] [--db FILE]";

const SUB: Record<string, string> = {
  check: "inventory check --all",
  diff: "inventory diff",
  refresh: "inventory refresh",
  status: "inventory",
};

/**
 * `opsbot inventory …`: the chat's inventory commands from a terminal, through the same router (so
 * `refresh` needs the same role). `check` lists every device, not only the first hundred.
 */
export const inventory: Subcommand = {
  summary: "Where devices come from: check profiles, diff or refresh NetBox/Ansible sources",
  usage: `${usage}

  check           every device: which profile gave its SNMP/SSH/backup settings, which cannot be polled
  diff            what a refresh would add, remove or change (fetches the sources, applies nothing)
  refresh         fetch the sources now and apply the change (role oncall)
  status          devices per source, last fetch, failures (the default)
  --as USER       act as this user (default $OPSBOT_USER, console.user, or your login)
  --json          print the reply model as JSON
${GLOBAL_HELP}`,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { ...GLOBAL_OPTIONS, as: { type: "string" }, json: { type: "boolean" } },
      usage,
    );
    if (values.help) {
      process.stdout.write(`Usage: ${this.usage}\n`);
      return 0;
    }
    const sub = positionals[0] ?? "status";
    const text = SUB[sub];
    if (positionals.length > 1 || text === undefined) {
      process.stderr.write(
        `opsbot: unknown inventory command "${positionals.join(" ")}".\nUsage: ${usage}\n`,
      );
      return 1;
    }
    const passed = [
      ...(values.config !== undefined ? ["--config", values.config] : []),
      ...(values.db !== undefined ? ["--db", values.db] : []),
      ...(values.as !== undefined ? ["--as", values.as] : []),
      ...(values.json ? ["--json"] : []),
    ];
    return ask.run([...passed, "--", text]);
  },
};
