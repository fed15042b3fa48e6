import type { HistoryReader } from "./metrics.js";

/**
 * One reader per device: a device a fleet source feeds (Prometheus, `via: prometheus`) reads its
 * history there; every other device reads opsbot's own series store.
 */
export function routedReader(
  fallback: HistoryReader,
  readerFor: (device: string) => HistoryReader | undefined,
): HistoryReader {
  return {
    read(q) {
      return (readerFor(q.device) ?? fallback).read(q);
    },
  };
}
