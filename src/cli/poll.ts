import type { ChatPort } from "../chat/port.js";
import { formatDuration } from "../lib/clock.js";
import { UsageError } from "../lib/errors.js";
import { createLogger } from "../lib/logger.js";
import { createCollector, createCore, loadConfig } from "../main.js";
import { deviceOrThrow } from "../management/answers.js";
import type { PollOutcome } from "../management/poller.js";
import { startPoller } from "../management/start-poller.js";
import { createOwnerPart, leaseTiming } from "../runtime/owner.js";
import { GLOBAL_HELP, GLOBAL_OPTIONS, parseFlags, type Subcommand, settingsFrom } from "./common.js";

const usage = "opsbot poll [--once] [--device NAME]... [--json] [--config FILE] [--db FILE]";

/** Polling posts nothing; the core still wants a chat port. */
const noChat: ChatPort = {
  post: async (channel) => ({ channel, ts: "0" }),
  update: async () => {},
  postEphemeral: async () => {},
  uploadFile: async () => {},
};

function line(o: PollOutcome): string {
  const state = o.status === "ok" || o.status === "partial" ? o.status : o.status.toUpperCase();
  const changes = `${o.changes} change${o.changes === 1 ? "" : "s"}`;
  const took = formatDuration(o.durationMs).padStart(7);
  return `${o.device.padEnd(24)} ${state.padEnd(11)} ${changes.padEnd(10)} ${took}${o.error ? `  ${o.error}` : ""}`;
}

export const poll: Subcommand = {
  summary: "Poll devices into the cache: once (--once), or on their schedules until stopped",
  usage: `${usage}

  --once          poll once and exit: 0 when every device answered, 2 when one did not
  --device NAME   only this device (repeat for several); default every configured device
  --json          with --once, print the outcomes as JSON
${GLOBAL_HELP}`,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        ...GLOBAL_OPTIONS,
        once: { type: "boolean" },
        device: { type: "string", multiple: true },
        json: { type: "boolean" },
      },
      usage,
    );
    if (values.help) {
      process.stdout.write(`Usage: ${this.usage}\n`);
      return 0;
    }
    const settings = settingsFrom(values);
    const config = loadConfig(settings);
    if (config.devices.length === 0) {
      throw new UsageError(
        `No devices to poll: ${settings.configPath} lists none. Add them under \`devices:\`.`,
      );
    }
    const logger = createLogger({ level: settings.logLevel });
    const owner = createOwnerPart({
      dbPath: settings.dbPath,
      logger,
      mode: "poll",
      ...leaseTiming(config),
      onLost: () => stop?.(),
    });
    // Polling writes the cache: only the owner does it. A running bot already polls on schedule.
    const core = createCore({
      config,
      dbPath: settings.dbPath,
      logger,
      chat: noChat,
      collector: createCollector({ logger }),
      run: { owner, syncDevices: true, schedules: false },
    });
    let stop: (() => void) | undefined;
    try {
      await core.start();
      const fleet = core.services.fleet;
      // Unknown names fail here, with suggestions, before anything is polled.
      const devices = values.device?.map((d) => deviceOrThrow(fleet, d));
      if (values.once) {
        const outcomes = await core.poller!.pollAll(devices);
        if (values.json) process.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
        else process.stdout.write(`${outcomes.map(line).join("\n")}\n`);
        // Any device not read completely (unreachable, refused, partial) makes the exit status 2.
        return outcomes.every((o) => o.status === "ok") ? 0 : 2;
      }
      await startPoller(core.poller!, logger, {
        initialPoll: "background",
        ...(devices ? { devices } : {}),
      });
      process.stderr.write("opsbot poll: polling on schedule; Ctrl-C to stop.\n");
      await new Promise<void>((resolve) => {
        stop = resolve;
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      return 0;
    } finally {
      await core.stop();
    }
  },
};
