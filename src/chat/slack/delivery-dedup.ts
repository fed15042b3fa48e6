import type { Clock } from "../../lib/clock.js";

/** Where delivery keys outlive the process (the store): consulted after the in-memory layer. */
export interface DeliveryBacking {
  seenSince(key: string, since: number): boolean;
  record(key: string, at: number, ttlMs: number): void;
}

/**
 * Remembers delivery keys (event ids, request signatures) for a while, to drop Slack's retries and
 * replayed requests. The window that matters is minutes (Slack retries within about five; a signed
 * request is only valid for five). Memory answers first; with a backing store the keys also survive a
 * restart, so a request captured before it and replayed after it still runs nothing. Bounded: the
 * oldest keys go first.
 */
export class DeliveryDedup {
  private readonly seenAt = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 10 * 60_000,
    private readonly maxEntries = 50_000,
    private readonly backing?: DeliveryBacking,
  ) {}

  /** Records `key`; true when it was already seen within the TTL (a duplicate). */
  checkAndRecord(key: string): boolean {
    const now = this.clock.now();
    const at = this.seenAt.get(key);
    if (at !== undefined && now - at < this.ttlMs) return true;
    if (this.backing?.seenSince(key, now - this.ttlMs)) {
      this.seenAt.set(key, now);
      return true;
    }
    this.seenAt.delete(key);
    this.seenAt.set(key, now);
    this.backing?.record(key, now, this.ttlMs);
    this.evict(now);
    return false;
  }

  get size(): number {
    return this.seenAt.size;
  }

  private evict(now: number): void {
    // Map iteration is insertion order, so the oldest come first.
    for (const [key, at] of this.seenAt) {
      if (this.seenAt.size <= this.maxEntries && now - at < this.ttlMs) break;
      this.seenAt.delete(key);
    }
  }
}

/** The id Slack keeps across retries of one delivery, when the payload has one. */
export function deliveryKey(body: Record<string, unknown>): string | undefined {
  if (typeof body.event_id === "string") return `event:${body.event_id}`;
  if (typeof body.trigger_id === "string") return `trigger:${body.trigger_id}`;
  return undefined;
}
