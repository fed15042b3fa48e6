/**
 * Bounds the requests in flight to one agent (host:port). Small devices answer SNMP on a slow
 * control-plane CPU and drop what they cannot queue, so opsbot never floods one agent, however many
 * collectors or refreshes target it at once.
 */
export interface AgentLimiter {
  /** Runs `task` once fewer than the limit of tasks for `agent` are running. */
  run<T>(agent: string, task: () => Promise<T>): Promise<T>;
  /** Requests currently in flight for `agent` (for tests and diagnostics). */
  inFlight(agent: string): number;
}

interface Slot {
  running: number;
  waiting: Array<() => void>;
}

export function createAgentLimiter(maxPerAgent: number): AgentLimiter {
  if (!Number.isInteger(maxPerAgent) || maxPerAgent < 1) {
    throw new RangeError(`maxOutstandingPerAgent must be a positive integer, got ${maxPerAgent}`);
  }
  const slots = new Map<string, Slot>();

  const release = (agent: string, slot: Slot): void => {
    const next = slot.waiting.shift();
    if (next) {
      next();
      return;
    }
    slot.running--;
    if (slot.running === 0) slots.delete(agent);
  };

  return {
    async run<T>(agent: string, task: () => Promise<T>): Promise<T> {
      let slot = slots.get(agent);
      if (!slot) {
        slot = { running: 0, waiting: [] };
        slots.set(agent, slot);
      }
      if (slot.running < maxPerAgent) {
        slot.running++;
      } else {
        // The releasing task hands its place over directly, so `running` stays accurate.
        await new Promise<void>((resolve) => slot!.waiting.push(resolve));
      }
      try {
        return await task();
      } finally {
        release(agent, slot);
      }
    },
    inFlight(agent: string): number {
      return slots.get(agent)?.running ?? 0;
    },
  };
}
