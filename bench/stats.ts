import { cpus, loadavg } from "node:os";
/** Small helpers shared by the benchmarks. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function printTable(title: string, rows: [string, string][]): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`\n${title}\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n")}\n`);
}

/** "median (min–max)" of per-round values. */
export function medianRange(values: number[], digits = 2): string {
  if (values.length === 0) return "n/a";
  return `${percentile(values, 50).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
}

/** The 1-minute load average now, for printing next to a figure measured on a shared machine. */
export function loadNow(): string {
  const [one, five] = loadavg();
  return `load ${one!.toFixed(2)} / ${five!.toFixed(2)} (1/5 min) on ${cpus().length} CPUs`;
}
