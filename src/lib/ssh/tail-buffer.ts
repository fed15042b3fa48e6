/**
 * Keeps the last `max` bytes of a stream. The end of a command's output (the error, the summary) is
 * what an operator needs, so when output overflows the head is dropped, never the tail.
 */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private dropped = false;

  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (chunk.length >= this.max) {
      this.chunks = [chunk.subarray(chunk.length - this.max)];
      this.dropped = this.dropped || chunk.length > this.max || this.size > 0;
      this.size = this.max;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.max) {
      const first = this.chunks[0]!;
      const excess = this.size - this.max;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
      }
      this.dropped = true;
    }
  }

  get truncated(): boolean {
    return this.dropped;
  }

  /** UTF-8 text; when the head was cut, a partial character at the cut is skipped rather than mangled. */
  toString(): string {
    let buf = Buffer.concat(this.chunks, this.size);
    if (this.dropped) {
      let start = 0;
      // UTF-8 continuation bytes are 10xxxxxx; at most 3 follow a lead byte.
      while (start < Math.min(3, buf.length) && (buf[start]! & 0xc0) === 0x80) start++;
      buf = buf.subarray(start);
    }
    return buf.toString("utf8");
  }
}
