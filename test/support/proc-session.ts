import { readdirSync, readFileSync } from "node:fs";

/** What /proc says about a live process (undefined once it is gone). */
export interface ProcInfo {
  pid: number;
  ppid: number;
  sid: number;
  comm: string;
}

export function procInfo(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // A zombie is already gone as far as a command's survivors are concerned.
    if (fields[0] === "Z") return undefined;
    return { pid, ppid: Number(fields[1]), sid: Number(fields[3]), comm };
  } catch {
    return undefined; // it exited while we looked
  }
}

/** Live processes of session `sid` (sshd starts every command in its own session). */
export function sessionMembers(sid: number): ProcInfo[] {
  const found: ProcInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const info = procInfo(Number(entry));
    if (info?.sid === sid) found.push(info);
  }
  return found;
}

/** Polls (up to ~10 s) until nothing of session `sid` is alive; returns what is left. */
export async function sessionSurvivors(sid: number): Promise<ProcInfo[]> {
  let left = sessionMembers(sid);
  for (let i = 0; i < 100 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = sessionMembers(sid);
  }
  return left;
}
