import { mkdirSync, openSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Writable } from "node:stream";

/**
 * Where logs go when the console chat owns the terminal: a file (JSON lines, one per event), so a poll
 * of unreachable devices does not interleave with the chat. `--log-stderr` keeps them on stderr.
 */
export interface ConsoleLog {
  /** For createLogger({ destination }); undefined = stderr. */
  destination?: NodeJS.WritableStream;
  /** The file, when logging to one. */
  path?: string;
  /** One line for the start banner: where the logs are. */
  note: string;
}

export function consoleLog(options: { logStderr: boolean; path?: string }): ConsoleLog {
  if (options.logStderr) return { note: "Logs: stderr (--log-stderr)." };
  const path = options.path ?? join(tmpdir(), `opsbot-${process.pid}.log`);
  let fd: number;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(path, "a");
  } catch (err) {
    // The log file sits next to the database: a read-only directory is the database's problem to
    // name (it does, at open); the logs go to stderr meanwhile instead of ending start-up here.
    return { note: `Logs: stderr (cannot write ${path}: ${(err as Error).message}).` };
  }
  // Synchronous appends: a crash still leaves its last lines in the file.
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      try {
        writeSync(fd, chunk);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
  return { destination, path, note: `Logs: ${resolve(path)} (\`--log-stderr\` to see them here).` };
}
