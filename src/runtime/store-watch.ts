import { statSync } from "node:fs";
import type { Logger } from "../lib/logger.js";
import type { Part } from "./lifecycle.js";

/**
 * The database stays the database: SQLite keeps writing to an open file after it is deleted or
 * replaced (a restore, a wrong `rm`), so nothing would fail — every later audit row, approval and
 * run-journal entry would go to an inode nobody will ever open again. The owner checks the file's
 * identity (device + inode) on a timer and, when the path is gone or is another file, says so and
 * stops, for the supervisor to restart it on the real database.
 */
export function createStoreWatch(o: {
  path: string;
  intervalMs: number;
  logger: Logger;
  onGone(reason: string): void;
}): Part {
  let timer: NodeJS.Timeout | undefined;
  let identity: { dev: number; ino: number } | undefined;
  const check = () => {
    let reason: string | undefined;
    try {
      const s = statSync(o.path);
      if (identity && (s.dev !== identity.dev || s.ino !== identity.ino))
        reason = `the database file ${o.path} was replaced by another file while opsbot had it open`;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      reason =
        code === "ENOENT"
          ? `the database file ${o.path} was deleted while opsbot had it open`
          : `the database file ${o.path} cannot be checked (${code ?? String(err)})`;
    }
    if (!reason) return;
    if (timer) clearInterval(timer);
    timer = undefined;
    o.logger.error({ path: o.path }, reason);
    o.onGone(reason);
  };
  return {
    name: "store-watch",
    process: true,
    start() {
      if (o.path === ":memory:" || timer) return;
      const s = statSync(o.path);
      identity = { dev: s.dev, ino: s.ino };
      timer = setInterval(check, o.intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
