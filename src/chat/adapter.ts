import type { ChatUser } from "../lib/actor.js";
import type { StoreHealth } from "../store/faults.js";
import type { ChatPort } from "./port.js";
import type { Reply } from "./reply.js";
import type { Router } from "./router.js";

/**
 * A chat transport as the lifecycle sees it (like Bolt's receivers: init / start / stop). Slack and
 * the console implement it. `port` is how opsbot posts on its own (alerts, run progress); it stays
 * usable after `stop()` until `flush()`, so runs stopped by the shutdown still report their end.
 */
export interface ChatAdapter {
  readonly name: string;
  readonly port: ChatPort;
  /** Starts accepting messages for the router. Starting a started adapter does nothing. */
  start(router: Router): Promise<void>;
  /** Stops accepting messages, waiting for the one being handled. */
  stop(): Promise<void>;
  /** Delivers what is queued; called once everything that posts has stopped. */
  flush(): Promise<void>;
  /**
   * A per-user home view the transport shows on its own (Slack's App Home), rendered by `render` (the
   * latest call wins, so a reloaded core takes over). `refresh()` re-renders it for whoever has it open.
   * Absent where the transport has no such view.
   */
  serveHome?(render: (user: ChatUser) => Promise<Reply> | Reply): { refresh(): void };
  /** For /readyz: can the transport reach us right now, and why not. Default: always (the console). */
  connection?(): { connected: boolean; detail: string };
  /**
   * For /metrics: messages queued and not yet delivered, rate-limited answers since start, and where
   * the waiting ones are (in memory, spilled to the store) and how many were dropped.
   */
  outboxStats?(): OutboxStats;
  /** Where the adapter reports faults of its own store writes (the outbox spill). */
  watchStore?(health: StoreHealth): void;
  /** Resolves when the adapter ends by itself (the console: `quit` or end of input). */
  readonly ended?: Promise<void>;
}

/** A router that forwards to whichever router is current: adapters keep it across config reloads. */
export function forwardingRouter(current: () => Router): Router {
  return {
    handle: (text, ctx) => current().handle(text, ctx),
    dispatchAction: (actionId, value, ctx) => current().dispatchAction(actionId, value, ctx),
    visibleCommands: (user) => current().visibleCommands(user),
    find: (name) => current().find(name),
  };
}

export interface OutboxStats {
  pending: number;
  rateLimited: number;
  inMemory?: number;
  inMemoryBytes?: number;
  spilled?: number;
  dropped?: number;
}
