import { cronProblem, scheduleCron } from "../lib/cron.js";
import { ConfigError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import type { Core } from "../main.js";
import type { Part } from "./lifecycle.js";
import { prune } from "./retention.js";

/**
 * The owner's daily prune on `retention.schedule`. A prune in flight is asked to stop between
 * batches when the bot stops, and awaited, so the store never closes under it.
 */
export function createPrunePart(core: () => Core, logger: Logger): Part {
  let task: ReturnType<typeof scheduleCron> | undefined;
  let running: Promise<void> | undefined;
  let stopping = false;
  const once = async () => {
    const c = core();
    const report = await prune(c.store, c.services.config, c.services.clock.now(), {
      shouldStop: () => stopping,
    });
    const rows = report.counts.reduce((n, c) => n + c.rows, 0);
    logger.info(
      { rows, tables: report.counts.filter((c) => c.rows > 0), vacuumedPages: report.vacuumedPages },
      "retention: pruned",
    );
  };
  return {
    name: "prune",
    start() {
      const r = core().services.config.retention;
      if (!r.enabled) return;
      const problem = cronProblem(r.schedule);
      if (problem) {
        throw new ConfigError(
          `retention.schedule: "${r.schedule}" is not a cron expression (${problem}); e.g. "17 3 * * *"`,
        );
      }
      stopping = false;
      task = scheduleCron(
        r.schedule,
        () => {
          if (running) return;
          running = once()
            .catch((err: unknown) => logger.error({ err }, "retention: prune failed; next try on schedule"))
            .finally(() => {
              running = undefined;
            });
        },
        { name: "retention prune", timezone: core().services.config.timezone },
      );
    },
    async stop() {
      stopping = true;
      task?.stop();
      task = undefined;
      await running;
    },
  };
}
