import type { Logger } from "../lib/logger.js";

/**
 * One named piece of a running opsbot. `start` runs in list order, `stop` in reverse; a part that
 * only starts (device sync) or only stops (the store) leaves the other out. Parts marked `process`
 * outlive a config reload (the lease, the chat connection, the control socket, the store).
 */
export interface Part {
  name: string;
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
  process?: boolean;
}

export interface Lifecycle {
  /** Part names in start order. */
  names(): string[];
  /**
   * Adds a part: at the end, or just before / after a named one (e.g. an ops HTTP listener
   * `{ before: "control" }`, so it starts after the subsystems and stops before them).
   */
  add(part: Part, where?: { before?: string; after?: string }): void;
  /** Starts every part in order; if one fails, stops those already started and rethrows. */
  start(): Promise<void>;
  /**
   * Stops started parts in reverse order, each once; a failing stop is logged and the next still
   * runs. With `reload`, parts marked `process` keep running.
   */
  stop(options?: { reload?: boolean }): Promise<void>;
}

/**
 * `always(part)`: parts holding what exists from creation (the store, open connections) are stopped by
 * stop() even when start() never ran, so a core that only answered still closes cleanly.
 */
export function createLifecycle(
  logger: Logger,
  initial: Part[] = [],
  always: (part: Part) => boolean = () => false,
): Lifecycle {
  const parts: Part[] = [...initial];
  const started: Part[] = [];
  const stoppedUnstarted = new Set<Part>();
  const index = (name: string) => {
    const i = parts.findIndex((p) => p.name === name);
    if (i < 0)
      throw new Error(`lifecycle: no part named "${name}" (parts: ${parts.map((p) => p.name).join(", ")})`);
    return i;
  };
  const stopPart = async (part: Part) => {
    try {
      await part.stop?.();
    } catch (err) {
      logger.error({ err, part: part.name }, "stopping a part failed; stopping the rest");
    }
  };
  return {
    names: () => parts.map((p) => p.name),
    add(part, where = {}) {
      if (parts.some((p) => p.name === part.name)) throw new Error(`lifecycle: part "${part.name}" exists`);
      if (where.before !== undefined) parts.splice(index(where.before), 0, part);
      else if (where.after !== undefined) parts.splice(index(where.after) + 1, 0, part);
      else parts.push(part);
    },
    async start() {
      for (const part of parts) {
        if (started.includes(part)) continue;
        try {
          await part.start?.();
        } catch (err) {
          for (const p of [...started].reverse()) await stopPart(p);
          started.length = 0;
          throw err;
        }
        started.push(part);
      }
    },
    async stop(options = {}) {
      for (const part of [...parts].reverse()) {
        if (options.reload && part.process) continue;
        const i = started.indexOf(part);
        if (i < 0 && (!always(part) || stoppedUnstarted.has(part))) continue;
        if (i >= 0) started.splice(i, 1);
        else stoppedUnstarted.add(part);
        await stopPart(part);
      }
    },
  };
}
