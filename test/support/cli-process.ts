import { type ChildProcessWithoutNullStreams, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** The built CLI, as a user runs it. Tests build once (unless OPSBOT_SKIP_BUILD: `npm test` built it). */
export const CLI = join(process.cwd(), "dist", "src", "cli.js");

export function buildCli(): void {
  if (!process.env.OPSBOT_SKIP_BUILD) execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
  if (!existsSync(CLI)) throw new Error(`${CLI} missing after the build`);
}

export function cliEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, OPSBOT_USER: "alice", OPSBOT_LOG_LEVEL: "warn", ...extra };
}

/** One `opsbot …` call to completion. */
export function opsbotSync(args: string[], o: { cwd: string; env?: NodeJS.ProcessEnv; input?: string }) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: o.cwd,
    env: o.env ?? cliEnv(o.cwd),
    encoding: "utf8",
    timeout: 60_000,
    ...(o.input === undefined ? {} : { input: o.input }),
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** A long-running `opsbot …` (start, demo) whose output the test reads as it comes. */
export interface BotProcess {
  child: ChildProcessWithoutNullStreams;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills it if still running and waits for the exit (test cleanup). */
  kill(): Promise<void>;
}

export function startBot(args: string[], o: { cwd: string; env?: NodeJS.ProcessEnv }): BotProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: o.cwd,
    env: o.env ?? cliEnv(o.cwd),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => {
    out += c;
  });
  child.stderr.setEncoding("utf8").on("data", (c: string) => {
    err += c;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  return {
    child,
    pid: child.pid!,
    stdout: () => out,
    stderr: () => err,
    exited,
    async kill() {
      if (!done) child.kill("SIGKILL");
      await exited;
    },
  };
}
