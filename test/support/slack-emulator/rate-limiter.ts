/**
 * Slack's rate limits, as the emulator enforces them: a per-method budget per minute (Slack's tiers) and
 * a minimum spacing of posts per channel ("about one message per second per channel").
 */
export interface RateLimitOptions {
  /** Calls per minute per method. Methods not listed are unlimited. */
  perMinute?: Record<string, number>;
  /** Minimum ms between accepted writes to one channel. 0 disables the check. */
  channelIntervalMs?: number;
  /** Methods that count as a write to their channel. */
  channelMethods?: string[];
}

/** Slack's published tiers for the methods opsbot uses (calls per minute). */
export const SLACK_TIERS: Record<string, number> = {
  "auth.test": 100, // Tier 4 (special in practice)
  "chat.update": 50, // Tier 3
  "chat.postEphemeral": 100, // Tier 4
  "chat.postMessage": 600, // special: per channel, workspace bursts allowed
  "users.info": 100, // Tier 4
  "usergroups.users.list": 20, // Tier 2
  "conversations.info": 50, // Tier 3
  "conversations.open": 50, // Tier 3
  "files.getUploadURLExternal": 20, // Tier 2
  "files.completeUploadExternal": 20, // Tier 2
  "apps.connections.open": 100, // Tier 1 in docs; generous so reconnect tests do not trip it
};

export const DEFAULT_CHANNEL_METHODS = [
  "chat.postMessage",
  "chat.postEphemeral",
  "chat.update",
  "response_url",
];

export class RateLimiter {
  private readonly perMinute: Record<string, number>;
  private readonly channelIntervalMs: number;
  private readonly channelMethods: Set<string>;
  private readonly windows = new Map<string, number[]>();
  private readonly lastChannelWrite = new Map<string, number>();

  constructor(options: RateLimitOptions = {}) {
    this.perMinute = options.perMinute ?? SLACK_TIERS;
    this.channelIntervalMs = options.channelIntervalMs ?? 1000;
    this.channelMethods = new Set(options.channelMethods ?? DEFAULT_CHANNEL_METHODS);
  }

  /** Seconds to wait when the call must be refused; undefined when it is admitted (and counted). */
  admit(method: string, channel: string | undefined, now: number): number | undefined {
    const limit = this.perMinute[method];
    const window = (this.windows.get(method) ?? []).filter((t) => t > now - 60_000);
    this.windows.set(method, window);
    if (limit !== undefined && window.length >= limit) {
      return Math.max(1, Math.ceil((window[0]! + 60_000 - now) / 1000));
    }
    if (channel !== undefined && this.channelIntervalMs > 0 && this.channelMethods.has(method)) {
      const last = this.lastChannelWrite.get(channel);
      if (last !== undefined && now - last < this.channelIntervalMs) {
        return Math.max(1, Math.ceil((last + this.channelIntervalMs - now) / 1000));
      }
      this.lastChannelWrite.set(channel, now);
    }
    window.push(now);
    return undefined;
  }

  get intervalMs(): number {
    return this.channelIntervalMs;
  }
}
