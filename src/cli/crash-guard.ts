/**
 * The last line of defence: an error nobody handled (a rejected promise, a throw from a timer) is a
 * bug, and opsbot says so — on stderr, with the stack — then stops the way a requested stop does
 * (runs interrupted through the journal, queued messages flushed, store closed) and exits 70
 * (EX_SOFTWARE) for the supervisor to restart it. Never a silent exit, never a half-written store.
 */
export const EXIT_SOFTWARE = 70;

let shutdown: (() => Promise<void>) | undefined;
let fatalSeen = false;

/** Long-running modes register how they stop; a fatal error runs it (bounded by `graceMs`). */
export function onFatalStop(stop: (() => Promise<void>) | undefined): void {
  shutdown = stop;
}

export function installCrashGuards(
  options: { write?: (text: string) => void; exit?: (code: number) => void; graceMs?: number } = {},
): void {
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const fatal = (kind: string, err: unknown) => {
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    if (fatalSeen) {
      write(`opsbot: another ${kind} while stopping: ${detail}\n`);
      return;
    }
    fatalSeen = true;
    write(`opsbot: fatal: ${kind} (a bug — please report it): ${detail}\nopsbot: stopping…\n`);
    const stop = shutdown;
    if (!stop) return exit(EXIT_SOFTWARE);
    const timer = setTimeout(() => {
      write("opsbot: stop took too long; exiting\n");
      exit(EXIT_SOFTWARE);
    }, options.graceMs ?? 15_000);
    timer.unref();
    stop()
      .catch((stopErr: unknown) => write(`opsbot: stop failed: ${String(stopErr)}\n`))
      .finally(() => {
        clearTimeout(timer);
        exit(EXIT_SOFTWARE);
      });
  };
  process.on("unhandledRejection", (reason) => fatal("unhandled promise rejection", reason));
  process.on("uncaughtException", (err) => fatal("uncaught exception", err));
}
