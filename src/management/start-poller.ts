import type { Logger } from "../lib/logger.js";
import type { Poller } from "./poller.js";

export interface StartPollerOptions {
  /**
   * Poll every device once right away so the first answers have data: "wait" resolves after that
   * round (the demo), "background" starts it and returns (a bot start-up), "none" waits for the schedule.
   */
  initialPoll?: "wait" | "background" | "none";
  /** Only these devices (default: all configured). */
  devices?: string[];
}

/** Starts a poller on its schedules, optionally with an immediate first round. */
export async function startPoller(
  poller: Poller,
  logger: Logger,
  options: StartPollerOptions = {},
): Promise<void> {
  poller.start(options.devices);
  const mode = options.initialPoll ?? "background";
  if (mode === "none") return;
  const round = poller.pollAll(options.devices).then(
    (outcomes) => {
      const down = outcomes.filter((o) => !o.reachable).map((o) => o.device);
      logger.info({ devices: outcomes.length, unreachable: down }, "initial poll done");
    },
    (err: unknown) => logger.warn({ err }, "initial poll stopped early"),
  );
  if (mode === "wait") await round;
}
