import { silentLogger } from "../lib/logger.js";
import { configFileMissing, loadConfig } from "../main.js";
import { createOwnerPart, leaseTiming } from "../runtime/owner.js";
import { prune } from "../runtime/retention.js";
import { openStore } from "../store/store.js";
import {
  GLOBAL_HELP,
  GLOBAL_OPTIONS,
  parseFlags,
  type Subcommand,
  settingsFrom,
  warnNoConfig,
} from "./common.js";

const usage = "opsbot prune [--dry-run] [--vacuum] [--config FILE] [--db FILE]";

export const prune_: Subcommand = {
  summary:
    "Delete stored history past its retention (the running bot does it daily); --dry-run shows what would go",
  usage: `${usage}

  --dry-run       count what would be deleted, per kind, and delete nothing
  --vacuum        afterwards, rewrite the whole file (VACUUM) and switch it to incremental vacuum:
                  needed once for a database created before opsbot kept files small; takes a while
${GLOBAL_HELP}

Ages come from \`retention:\` in opsbot.yaml (defaults: change log 90d, run output 30d, run journal
365d, alert history 180d, audit 365d, removed devices 30d). Runs that have not ended are never touched.
Pruning holds the owner lease, so it refuses while a bot owns the database (that bot prunes daily).`,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      { ...GLOBAL_OPTIONS, "dry-run": { type: "boolean" }, vacuum: { type: "boolean" } },
      usage,
    );
    if (values.help) {
      process.stdout.write(`Usage: ${this.usage}\n`);
      return 0;
    }
    const settings = settingsFrom(values);
    if (configFileMissing(settings)) warnNoConfig(settings);
    const config = loadConfig(settings);
    const dryRun = values["dry-run"] === true;
    const owner = createOwnerPart({
      dbPath: settings.dbPath,
      logger: silentLogger(),
      mode: "prune",
      ...leaseTiming(config),
      onLost: () => {},
    });
    if (!dryRun) await owner.start();
    const store = openStore(settings.dbPath);
    try {
      const before = fileBytes(store);
      const report = await prune(store, config, Date.now(), { dryRun });
      const width = Math.max(...report.counts.map((c) => c.label.length));
      for (const c of report.counts) {
        process.stdout.write(`${c.label.padEnd(width)}  ${String(c.rows).padStart(9)}\n`);
      }
      const total = report.counts.reduce((n, c) => n + c.rows, 0);
      process.stdout.write(`${dryRun ? "would delete" : "deleted"} ${total} row${total === 1 ? "" : "s"}\n`);
      if (!dryRun && values.vacuum) {
        store.db.pragma("auto_vacuum = INCREMENTAL");
        store.db.exec("VACUUM");
      } else if (!dryRun && !report.incremental) {
        process.stdout.write(
          "note: this database predates incremental vacuum, so the file does not shrink; run `opsbot prune --vacuum` once.\n",
        );
      }
      if (!dryRun) {
        store.db.pragma("wal_checkpoint(TRUNCATE)");
        process.stdout.write(`database ${before} → ${fileBytes(store)} bytes\n`);
      }
      return 0;
    } finally {
      store.close();
      owner.stop();
    }
  },
};

function fileBytes(store: ReturnType<typeof openStore>): number {
  const pages = Number(store.db.pragma("page_count", { simple: true }));
  return pages * Number(store.db.pragma("page_size", { simple: true }));
}
