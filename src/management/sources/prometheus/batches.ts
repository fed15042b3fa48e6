/**
 * Splitting the fleet into query batches (pure). A batch names its devices with one regex matcher on
 * the device label (`instance=~"a|b|c"`), so each query — and the memory its answer takes — is bounded
 * by the batch, not the fleet. Label values are matched literally: RE2 metacharacters are escaped.
 */
export interface BatchTarget {
  /** Device name in opsbot. */
  name: string;
  /** Label values the device may carry in Prometheus (configured: name, host, host:port). */
  values: readonly string[];
}

export interface BatchLimits {
  /** Most devices per batch. */
  devices: number;
  /** Most characters of label values per batch (keeps a query well under any URL/form limit). */
  chars: number;
}

/** Escapes a label value for an RE2 regex (Prometheus anchors it, so the match is exact). */
export function escapeRegex(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}

/** A PromQL string literal (double-quoted; backslashes and quotes escaped). */
export function promString(value: string): string {
  return JSON.stringify(value);
}

/** `label=~"v1|v2"` matching exactly the given values. */
export function labelMatcher(label: string, values: readonly string[]): string {
  return `${label}=~${promString([...new Set(values)].map(escapeRegex).join("|"))}`;
}

/** Consecutive batches within the limits; a single over-long target still gets a batch of its own. */
export function splitBatches<T extends BatchTarget>(targets: readonly T[], limits: BatchLimits): T[][] {
  const out: T[][] = [];
  let batch: T[] = [];
  let chars = 0;
  for (const t of targets) {
    const size = t.values.reduce((n, v) => n + v.length + 1, 0);
    if (batch.length > 0 && (batch.length >= limits.devices || chars + size > limits.chars)) {
      out.push(batch);
      batch = [];
      chars = 0;
    }
    batch.push(t);
    chars += size;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}
