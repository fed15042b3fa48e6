import type { Redactor } from "../lib/redact.js";
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
        out(buf.slice(0, nl + 1), stream);
        buf = buf.slice(nl + 1);
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

/** Batches chunks from every running step into one transaction per interval. */
export function createOutputWriter(
  journal: Pick<Journal, "appendOutput">,
  options: { flushMs?: number; maxBatch?: number } = {},
) {
  const flushMs = options.flushMs ?? 100;
  const maxBatch = options.maxBatch ?? 2000;
  let batch: OutputChunk[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const flush = () => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (batch.length === 0) return;
    const b = batch;
    batch = [];
    journal.appendOutput(b);
  };
  return {
    push(chunk: OutputChunk): void {
      // After shutdown: output of a step already marked interrupted has nowhere to go.
      if (closed) return;
      batch.push(chunk);
      if (batch.length >= maxBatch) flush();
      else if (!timer) {
        timer = setTimeout(flush, flushMs);
        timer.unref();
      }
    },
    flush,
    /** Writes what is batched, then drops whatever comes later (the store is about to close). */
    close(): void {
      flush();
      closed = true;
    },
  };
}
