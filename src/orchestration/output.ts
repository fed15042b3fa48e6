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

/** Batches chunks from every running step into one transaction per interval. */
export function createOutputWriter(
  journal: Pick<Journal, "appendOutput">,
  options: { flushMs?: number; maxBatch?: number } = {},
) {
  const flushMs = options.flushMs ?? 100;
  const maxBatch = options.maxBatch ?? 2000;
  let batch: OutputChunk[] = [];
  let timer: NodeJS.Timeout | undefined;
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
      batch.push(chunk);
      if (batch.length >= maxBatch) flush();
      else if (!timer) {
        timer = setTimeout(flush, flushMs);
        timer.unref();
      }
    },
    flush,
  };
}
