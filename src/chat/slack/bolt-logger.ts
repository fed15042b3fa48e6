import { type Logger as BoltLogger, LogLevel } from "@slack/bolt";
import type { Logger } from "../../lib/logger.js";

/** Bolt's logger interface on top of opsbot's structured logger, so Bolt's lines are JSON too. */
export function boltLogger(logger: Logger): BoltLogger {
  const log = logger.child({ component: "bolt" });
  let level: LogLevel = LogLevel.INFO;
  const text = (msg: unknown[]) => msg.map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ");
  return {
    debug: (...msg) => log.debug(text(msg)),
    info: (...msg) => log.info(text(msg)),
    warn: (...msg) => log.warn(text(msg)),
    error: (...msg) => log.error(text(msg)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
