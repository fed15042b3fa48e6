/**
 * How much the Slack outbox may hold in memory. Below `messages`/`bytes` a waiting write stays in
 * memory; past it, new writes go to the spill (a store table). `hardMessages`/`hardBytes` bound memory
 * when the spill cannot take them (store fault, or writes with no durable form such as file uploads):
 * past that, the oldest non-critical writes are dropped, counted and logged.
 */
export interface MemoryBound {
  messages: number;
  bytes: number;
  hardMessages: number;
  hardBytes: number;
}

export const MEMORY_DEFAULTS: MemoryBound = {
  messages: 200,
  bytes: 4 * 1024 * 1024,
  hardMessages: 2000,
  hardBytes: 32 * 1024 * 1024,
};

/** The running count of writes (and their payload bytes) whose content is in memory. */
export class OutboxMemory {
  readonly bound: MemoryBound;
  private jobs = 0;
  private size = 0;

  constructor(bound: Partial<MemoryBound> = {}) {
    this.bound = { ...MEMORY_DEFAULTS, ...bound };
  }

  /** One more write in memory. */
  hold(bytes: number): void {
    this.jobs += 1;
    this.size += bytes;
  }

  /** A write left memory (sent, dropped). */
  release(bytes: number): void {
    this.jobs -= 1;
    this.size -= bytes;
  }

  /** A write in memory was replaced by a newer version (a coalesced update). */
  resize(delta: number): void {
    this.size += delta;
  }

  wouldExceed(bytes: number): boolean {
    return this.jobs + 1 > this.bound.messages || this.size + bytes > this.bound.bytes;
  }

  overHard(): boolean {
    return this.jobs > this.bound.hardMessages || this.size > this.bound.hardBytes;
  }

  reset(): void {
    this.jobs = 0;
    this.size = 0;
  }

  snapshot(): { messages: number; bytes: number } {
    return { messages: this.jobs, bytes: this.size };
  }
}
