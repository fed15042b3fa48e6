import type { ChatAdapter } from "../chat/adapter.js";
import { consoleAdapter } from "../chat/console/console-adapter.js";
import type { ConsoleChat } from "../chat/console/console-chat.js";
import type { SlackSettings } from "../chat/slack/settings.js";
import type { Config } from "../config/schema.js";
import { systemClock } from "../lib/clock.js";
import type { Logger } from "../lib/logger.js";
import { type Core, createSlackAdapter } from "../main.js";

/**
 * The chat a long-running bot (`start`, `demo`) talks through: Slack when settings are given,
 * otherwise the console on this terminal. In Slack HTTP mode the ops routes of whichever core is
 * current (a config reload builds a new one) share Slack's port.
 */
export function botAdapter(o: {
  slack: SlackSettings | undefined;
  chat: ConsoleChat | undefined;
  config: Config;
  logger: Logger;
  dbPath: string;
  current: () => Core | undefined;
}): Promise<ChatAdapter> | ChatAdapter {
  if (o.slack) {
    return createSlackAdapter({
      settings: o.slack,
      config: o.config,
      clock: systemClock,
      logger: o.logger,
      dbPath: o.dbPath,
      httpFallback: (req, res) => o.current()?.ops.handler(req, res) ?? Promise.resolve(false),
    });
  }
  return consoleAdapter(o.chat!, {
    input: process.stdin,
    output: process.stdout,
    prompt: process.stdin.isTTY === true,
  });
}
