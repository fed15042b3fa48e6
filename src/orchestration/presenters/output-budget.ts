/**
 * How much of a step's output goes into the chat thread. Output arrives far faster than Slack takes
 * messages, so it is coalesced into chunks (one message per flush) and each step gets a fixed number of
 * chunks; what does not fit is counted, not kept, and the step's whole log (from the store, where
 * nothing is lost) is attached as a file when the step ends. Memory per step is bounded by one chunk.
 */
export interface OutputBudgetOptions {
  /** Characters per chat message of output (Slack: 3,000 per section, fences included). */
  chunkChars: number;
  /** Chunks per step before the rest waits for the file. */
  chunksPerStep: number;
}

export class StepOutput {
  private pending = "";
  private chunks = 0;
  /** Characters that never reached chat (the file carries them). */
  skipped = 0;
  noticeDue = false;
  private noticed = false;

  constructor(private readonly o: OutputBudgetOptions) {}

  get budgetLeft(): boolean {
    return this.chunks < this.o.chunksPerStep;
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Whether chat missed anything, so the full log must be attached. */
  get incomplete(): boolean {
    return this.skipped > 0;
  }

  add(text: string): void {
    if (!this.budgetLeft) {
      this.drop(text.length);
      return;
    }
    const room = this.o.chunkChars - this.pending.length;
    if (text.length <= room) {
      this.pending += text;
      return;
    }
    // Keep the first lines of the burst (they read in order); the file will have the rest.
    this.pending += text.slice(0, room);
    this.drop(text.length - room);
  }

  /** The next chunk to post, or undefined. Counts against the budget. */
  take(): string | undefined {
    if (!this.pending) return undefined;
    const chunk = this.pending.replace(/\n$/, "");
    this.pending = "";
    this.chunks += 1;
    if (!this.budgetLeft && !this.noticed) this.noticeDue = true;
    return chunk;
  }

  /** Marks the "output continues in a file" note as posted. */
  notice(): void {
    this.noticeDue = false;
    this.noticed = true;
  }

  private drop(n: number): void {
    this.skipped += n;
    if (!this.noticed) this.noticeDue = true;
  }
}

/**
 * Slack's tier-3 limit on chat.update (about 50 a minute per workspace) is shared by every run: a
 * token bucket keeps parent-message updates under it. `take` answers how long to wait.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  /** 0 when a token was taken now; otherwise ms until one is available (nothing is taken). */
  take(now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.perMinute) / 60_000);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 60_000) / this.perMinute);
  }
}
