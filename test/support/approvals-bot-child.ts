/**
 * The "bot" process of the approvals restart test: opsbot in Slack Socket Mode against the test's
 * emulator, on the test's SQLite file. The test drives it through the emulator and kills it with
 * SIGKILL mid-step. Run with `node --import ./test/support/orch-ts-loader.mjs`.
 * Usage: approvals-bot-child.ts <api url> <bot token> <app token> <db> <config yaml>
 */
import { readFileSync } from "node:fs";
import { createSlackApp } from "../../src/chat/slack/app.js";
import { parseConfig } from "../../src/config/load.js";
import { systemClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createCore } from "../../src/main.js";

const [apiUrl, botToken, appToken, dbPath, yamlPath] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const config = parseConfig(readFileSync(yamlPath, "utf8"), yamlPath, {});
const app = createSlackApp({
  settings: { mode: "socket", botToken, appToken, apiUrl },
  config,
  clock: systemClock,
  logger: silentLogger(),
});
const core = createCore({ config, dbPath, logger: silentLogger(), chat: app.chat });
await app.start(core.router);
core.services.orchestration?.start();
process.stdout.write("ready\n");
