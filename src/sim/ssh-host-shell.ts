import type { SimHostProfile } from "./ssh-host-profiles.js";
import { smartctlDiskJson, smartctlScanJson } from "./ssh-host-profiles.js";

/**
 * The simulated host's "shell": enough of sh to answer opsbot's own commands (smartctl, /proc/mdstat,
 * zpool, cat of config files) from a profile, and to answer anything else — runbook steps — with a
 * plausible line and exit 0. `sleep` is honoured, capped so the demo stays quick.
 */
export interface SimResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const MAX_SLEEP_MS = 3000;

export async function runSimCommand(
  command: string,
  profile: SimHostProfile,
  signal: AbortSignal,
): Promise<SimResult> {
  const cli = profile.cli[command.trim()];
  if (cli !== undefined) return { stdout: cli, stderr: "", exitCode: 0 };
  const script = unwrapPosix(command);
  const out: SimResult = { stdout: "", stderr: "", exitCode: 0 };
  for (const { op, words } of splitList(script)) {
    if (op === "&&" && out.exitCode !== 0) continue;
    if (op === "||" && out.exitCode === 0) continue;
    if (words.length === 0) continue;
    if (words[0] === "exit") {
      out.exitCode = Number(words[1] ?? 0) || 0;
      break;
    }
    const r = await runSimple(words, profile, signal);
    out.stdout += r.stdout;
    out.stderr += r.stderr;
    out.exitCode = r.exitCode;
    if (signal.aborted) break;
  }
  return out;
}

/** opsbot wraps posix commands (`… sh -c '<command>' …`, see lib/ssh/remote-command.ts): take the command out. */
export function unwrapPosix(command: string): string {
  const m = /\bsh -c ((?:'[^']*'|\\')+)/.exec(command);
  return m ? (words(m[1]!)[0] ?? "") : command;
}

async function runSimple(argv: string[], p: SimHostProfile, signal: AbortSignal): Promise<SimResult> {
  const ok = (stdout: string): SimResult => ({ stdout, stderr: "", exitCode: 0 });
  const fail = (stderr: string, exitCode = 1): SimResult => ({ stdout: "", stderr: `${stderr}\n`, exitCode });
  const [cmd, ...args] = argv as [string, ...string[]];
  const cli = p.cli[argv.join(" ")];
  if (cli !== undefined) return ok(cli);
  switch (cmd) {
    case "smartctl": {
      if (args.includes("--scan")) return ok(smartctlScanJson(p));
      const disk = p.disks.find((d) => d.device === args.at(-1));
      if (!disk) return fail(`smartctl: ${args.at(-1)}: Unable to detect device type`, 2);
      const r = smartctlDiskJson(disk);
      return { stdout: r.stdout, stderr: "", exitCode: r.exitCode };
    }
    case "cat": {
      let stdout = "";
      for (const path of args) {
        const text = path === "/proc/mdstat" ? p.mdstat : p.files[path];
        if (text === undefined)
          return { stdout, stderr: `cat: ${path}: No such file or directory\n`, exitCode: 1 };
        stdout += text;
      }
      return ok(stdout);
    }
    case "zpool":
      if (!p.zpool) return fail("sh: 1: zpool: not found", 127);
      return ok(args[0] === "list" ? p.zpool.list : p.zpool.status);
    case "command":
      return args[0] === "-v" && args[1] && (args[1] !== "zpool" || p.zpool)
        ? ok(`/usr/sbin/${args[1]}\n`)
        : fail("", 1);
    case "echo":
      return args[0] === "-n" ? ok(args.slice(1).join(" ")) : ok(`${args.join(" ")}\n`);
    case "printf":
      return ok(args.join(" ").replace(/\\n/g, "\n"));
    case "sleep":
      await sleep(Math.min(Number.parseFloat(args[0] ?? "0") * 1000 || 0, MAX_SLEEP_MS), signal);
      return ok("");
    case "true":
    case ":":
      return ok("");
    case "false":
      return fail("", 1);
    case "hostname":
      return ok(`${p.hostname}\n`);
    case "whoami":
      return ok("opsbot\n");
    case "uptime":
      return ok(" 02:00:00 up 41 days,  3:12,  0 users,  load average: 0.08, 0.11, 0.09\n");
    default:
      return ok(`[${p.hostname}] ${argv.join(" ")}: ok (simulated)\n`);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Splits a command list on ; && || and newlines (outside quotes) into simple commands. */
function splitList(script: string): { op: ";" | "&&" | "||"; words: string[] }[] {
  const parts: { op: ";" | "&&" | "||"; words: string[] }[] = [];
  let op: ";" | "&&" | "||" = ";";
  let cur = "";
  let quote: string | undefined;
  for (let i = 0; i < script.length; i++) {
    const c = script[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      cur += c;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    const two = script.slice(i, i + 2);
    if (two === "&&" || two === "||" || c === ";" || c === "\n") {
      parts.push({ op, words: words(cur) });
      op = two === "&&" || two === "||" ? two : ";";
      if (op !== ";") i++;
      cur = "";
      continue;
    }
    cur += c;
  }
  parts.push({ op, words: words(cur) });
  return parts;
}

/** Shell words: quotes and backslashes resolved, redirections dropped. */
function words(text: string): string[] {
  const out: string[] = [];
  let cur: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      if (cur !== undefined) out.push(cur);
      cur = undefined;
      continue;
    }
    cur ??= "";
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      cur += text.slice(i + 1, end < 0 ? undefined : end);
      i = end < 0 ? text.length : end;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\\" && j + 1 < text.length) j++;
        cur += text[j];
        j++;
      }
      i = j;
    } else if (c === "\\" && i + 1 < text.length) {
      cur += text[++i];
    } else {
      cur += c;
    }
  }
  if (cur !== undefined) out.push(cur);
  return out.filter((w) => !/^\d?[<>]/.test(w));
}
