import { readFileSync } from "node:fs";

const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ

/** CPU of a process from /proc/<pid>/stat, in ms: its own (utime+stime) or its waited-for children's. */
export function procCpuMs(pid: number | "self", which: "own" | "children" = "own"): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after "(comm) ": state is [0]; utime [11], stime [12], cutime [13], cstime [14].
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks =
    which === "own" ? Number(fields[11]) + Number(fields[12]) : Number(fields[13]) + Number(fields[14]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Peak resident set size of a live process (VmHWM), in kB. */
export function peakRssKb(pid: number): number {
  const match = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no VmHWM for process ${pid}`);
  return Number(match[1]);
}
