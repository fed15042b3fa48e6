import type { Logger } from "../lib/logger.js";
import type { Redactor } from "../lib/redact.js";
import { isStoreFault, type StoreHealth, storeFaultReason, storeRetryDelay } from "../store/faults.js";
import type { Journal, OutputChunk } from "./journal.js";

/**
 * Step output on its way to the store: redacted on whole lines (a secret split across two network
 * reads is still one line here), chunked, and written in batches so a step printing 10,000 lines a
 * second costs a few transactions a second, not 10,000.
 */
const MAX_CHUNK = 16_384;

export interface OutputPipe {
  write(text: string, stream: "stdout" | "stderr"): void;
  /** Emits what is held back; `final` also emits an unterminated last line. */
  flush(final: boolean): void;
}

export function createOutputPipe(
  redactor: Redactor,
  emit: (text: string, stream: "stdout" | "stderr") => void,
  options: { holdback?: number } = {},
): OutputPipe {
  // Longest encoded secret form we must not cut through when a "line" has no newline for a while.
  const holdback = options.holdback ?? 4096;
  const pending = { stdout: "", stderr: "" };
  const out = (text: string, stream: "stdout" | "stderr") => {
    if (text.length === 0) return;
    const clean = redactor.redact(text);
    for (let i = 0; i < clean.length; i += MAX_CHUNK) emit(clean.slice(i, i + MAX_CHUNK), stream);
  };
  return {
    write(text, stream) {
      let buf = pending[stream] + text;
      const nl = buf.lastIndexOf("\n");
      if (nl >= 0) {
        const cut = heldFrom(buf, nl + 1);
        out(buf.slice(0, cut), stream);
        buf = buf.slice(cut);
      }
      if (buf.length > MAX_CHUNK + holdback) {
        out(buf.slice(0, buf.length - holdback), stream);
        buf = buf.slice(buf.length - holdback);
      }
      pending[stream] = buf;
    },
    flush(final) {
      if (!final) return;
      for (const stream of ["stdout", "stderr"] as const) {
        out(pending[stream], stream);
        pending[stream] = "";
      }
    },
  };
}

/**
 * Where the complete lines of `buf` (up to `end`) may be cut without splitting a secret that spans
 * lines: an unterminated private key block, or trailing base64/hex lines (`base64` wraps at 76
 * columns, so a secret's encoding may continue on the next line) wait for the next write.
 */
function heldFrom(buf: string, end: number): number {
  const begin = buf.lastIndexOf("-----BEGIN ");
  if (
    begin >= 0 &&
    /PRIVATE KEY-----/.test(buf.slice(begin, begin + 80)) &&
    !buf.includes("-----END ", begin)
  ) {
    return begin;
  }
  let cut = end;
  for (let held = 0; held < 2 && cut > 0; held++) {
    const start = buf.lastIndexOf("\n", cut - 2) + 1;
    if (!ENCODED_LINE.test(buf.slice(start, cut))) break;
    cut = start;
  }
  return cut;
}

const ENCODED_LINE = /^[A-Za-z0-9+/_=-]{16,}\r?\n$/;

export interface OutputWriterOptions {
  flushMs?: number;
  maxBatch?: number;
  /**
   * Output held in memory while the store refuses writes (disk full, locked): beyond this many bytes
   * the oldest held chunks are dropped and a marker saying how much was lost takes their place.
   */
  maxHeldBytes?: number;
  health?: StoreHealth;
  logger?: Pick<Logger, "warn" | "error">;
}

/**
 * Batches chunks from every running step into one transaction per interval. A store fault never
 * escapes the flush timer: the batch stays in memory (bounded), is retried with backoff, and
 * reaches the store in order when the fault clears.
 */
export function createOutputWriter(
  journal: Pick<Journal, "appendOutput">,
  options: OutputWriterOptions = {},
) {
  const flushMs = options.flushMs ?? 100;
  const maxBatch = options.maxBatch ?? 2000;
  const maxHeldBytes = options.maxHeldBytes ?? 8 * 1024 * 1024;
  let batch: OutputChunk[] = [];
  let heldBytes = 0;
  let failures = 0;
  let lastFault: unknown;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const arm = (ms: number) => {
    if (timer) return;
    timer = setTimeout(flush, ms);
    timer.unref();
  };
  const shed = () => {
    // Drop the oldest chunks; one marker per step says how much of its output the outage cost.
    const lost = new Map<string, OutputChunk & { bytes: number }>();
    while (heldBytes > maxHeldBytes && batch.length > 0) {
      const c = batch.shift()!;
      const bytes = Buffer.byteLength(c.text, "utf8");
      heldBytes -= bytes;
      const id = `${c.runId}\u0000${c.stepKey}\u0000${c.attempt}`;
      const m = lost.get(id) ?? { ...c, stream: "stderr" as const, text: "", bytes: 0 };
      m.bytes += bytes;
      lost.set(id, m);
    }
    const markers = [...lost.values()].map(({ bytes, ...c }) => ({
      ...c,
      text: `[opsbot: ${bytes} bytes of output lost while the database was unavailable]\n`,
    }));
    batch = [...markers, ...batch];
  };
  const flush = (): boolean => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (batch.length === 0) return true;
    const b = batch;
    batch = [];
    try {
      journal.appendOutput(b);
    } catch (err) {
      if (!isStoreFault(err)) throw err;
      lastFault = err;
      batch = [...b, ...batch];
      if (failures === 0) options.logger?.warn({ err: storeFaultReason(err) }, "run output held in memory");
      failures++;
      options.health?.fault(err, "run output");
      if (heldBytes > maxHeldBytes) shed();
      arm(storeRetryDelay(failures));
      return false;
    }
    heldBytes = batch.reduce((n, c) => n + Buffer.byteLength(c.text, "utf8"), 0);
    if (failures > 0) options.health?.recovered("run output");
    failures = 0;
    if (batch.length > 0) arm(flushMs);
    return true;
  };
  return {
    push(chunk: OutputChunk): void {
      // After shutdown: output of a step already marked interrupted has nowhere to go.
      if (closed) return;
      batch.push(chunk);
      heldBytes += Buffer.byteLength(chunk.text, "utf8");
      if (failures > 0) {
        if (heldBytes > maxHeldBytes) shed();
        return;
      }
      if (batch.length >= maxBatch) flush();
      else arm(flushMs);
    },
    /** Writes what is held; false when the store refused (the output stays held and is retried). */
    flush,
    /** Writes what is held, then drops whatever comes later (the store is about to close). */
    close(): void {
      flush();
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    /** The store fault that made the last flush fail. */
    lastFault: () => lastFault,
    /** Bytes waiting for the store. */
    held: () => heldBytes,
  };
}
