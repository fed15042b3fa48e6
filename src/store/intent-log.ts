import {
  closeSync,
  constants,
  fdatasync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  write,
} from "node:fs";
import { OpsbotError } from "../lib/errors.js";
import { type DecodedIntents, decodeIntents, encodeIntents, type StepIntent } from "./intent-record.js";

/**
 * The step intent log: `<db>.intents`, an append-only file next to the database, written only by the
 * process that executes runs (the owner-lease holder). It is what makes a step's "started" survive a
 * power cut while the run journal commits at synchronous=NORMAL:
 *
 * - kill -9 / a crash of opsbot: SQLite's NORMAL commits are in the WAL file (handed to the OS) before
 *   the action begins, so the journal itself has every "started"; the log adds nothing.
 * - power loss / a kernel crash: the newest NORMAL commits may be lost with the OS's page cache, but
 *   the step's intent record was on disk (written with O_DSYNC, i.e. fdatasync) before its action
 *   began. Start-up recovery journals every intent the store lacks as started-then-interrupted.
 *
 * Appends made while one is being synced are written and synced together (group commit); the write and
 * its sync run on libuv's threadpool, overlapping the journal's commit on the main thread. A promise
 * per append resolves once its records are on disk; it rejects (ENOSPC, EIO, EROFS, a removed
 * directory or file) and the step then does not start.
 *
 * Rotation: the records are only needed until the store has the same starts durably. After a FULL
 * commit (`durablePoint`) every start committed before it is on disk, so the log is truncated — at
 * start-up recovery, and whenever it passes `maxBytes`. A log that already held records when this
 * process opened it (a previous owner's, not yet recovered) is never truncated before `recovered`.
 */
export interface IntentLog {
  readonly path: string;
  /** Appends the records; resolves when they are on disk. */
  append(intents: readonly StepIntent[]): Promise<void>;
  /** What the log holds now (a previous process's records, at start-up). */
  read(): DecodedIntents;
  /** The store has durably absorbed every record read: make a durable point and empty the log. */
  recovered(): void;
  stats(): IntentLogStats;
  close(): void;
}

export interface IntentLogStats {
  /** Appends written and synced (each one group commit of one or more records). */
  syncs: number;
  records: number;
  /** Bytes appended, ever (the file's size is `bytes`). */
  appended: number;
  /** The file's size now. */
  bytes: number;
  rotations: number;
}

export interface IntentLogOptions {
  /** A FULL (fsynced) commit of the store the log belongs to. */
  durablePoint(): void;
  /** Size past which the log is truncated after a durable point (default 256 KiB). */
  maxBytes?: number;
}

interface Batch {
  chunks: Buffer[];
  records: number;
  waiters: { resolve: () => void; reject: (err: Error) => void }[];
}

// O_DSYNC: the write returns once data (and the size change) are on disk — an fdatasync in the same
// threadpool job. Where the platform has no O_DSYNC, an explicit fdatasync follows the write.
const DSYNC = constants.O_DSYNC ?? 0;
const FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | DSYNC;

export function createIntentLog(path: string, options: IntentLogOptions): IntentLog {
  const maxBytes = options.maxBytes ?? 256 * 1024;
  let fd: number | undefined;
  let size = 0;
  /** Records of a previous process are in the file and not yet recovered: no truncation. */
  let inherited = false;
  let pending: Batch | undefined;
  let inFlight = false;
  const stats = { syncs: 0, records: 0, appended: 0, rotations: 0 };

  const fail = (err: unknown, doing: string): OpsbotError => {
    const e = err as NodeJS.ErrnoException;
    return new OpsbotError(
      "STORE_UNAVAILABLE",
      `Cannot ${doing} the step intent log ${path}: ${e.code ? `${e.code}: ` : ""}${e.message}`,
      { cause: err },
    );
  };

  const open = (): number => {
    if (fd !== undefined) return fd;
    fd = openSync(path, FLAGS, 0o600);
    size = fstatSync(fd).size;
    if (size > 0 && stats.rotations === 0) inherited = true;
    return fd;
  };

  /** After a failed write: drop the file descriptor (the next append reopens) and cut the partial write. */
  const reset = () => {
    if (fd === undefined) return;
    try {
      ftruncateSync(fd, size);
    } catch {
      // Best effort: a partial record left behind is reported at recovery, never fatal.
    }
    closeSync(fd);
    fd = undefined;
  };

  const truncate = () => {
    options.durablePoint();
    ftruncateSync(open(), 0);
    size = 0;
    inherited = false;
    stats.rotations++;
  };

  function flush(): void {
    const batch = pending;
    if (!batch || inFlight) return;
    pending = undefined;
    inFlight = true;
    const bytes = batch.chunks.length === 1 ? batch.chunks[0]! : Buffer.concat(batch.chunks);
    let handle: number;
    try {
      handle = open();
    } catch (err) {
      done(batch, fail(err, "open"));
      return;
    }
    write(handle, bytes, 0, bytes.length, null, (err, written) => {
      if (err || written !== bytes.length) {
        reset();
        done(batch, fail(err ?? new Error(`short write (${written} of ${bytes.length} bytes)`), "write"));
      } else if (DSYNC === 0) {
        fdatasync(handle, (syncErr) => {
          if (!syncErr) return synced(batch, bytes.length);
          // After a failed sync the kernel may have dropped the pages: never trust this descriptor again.
          reset();
          done(batch, fail(syncErr, "sync"));
        });
      } else synced(batch, bytes.length);
    });
  }

  function synced(batch: Batch, length: number): void {
    size += length;
    // A file unlinked while open takes writes and syncs without error, into nothing anyone can read.
    let removed = false;
    try {
      removed = fd !== undefined && fstatSync(fd).nlink === 0;
    } catch (err) {
      reset();
      done(batch, fail(err, "check"));
      return;
    }
    if (removed) {
      closeSync(fd!);
      fd = undefined;
      done(batch, fail(new Error("the file was removed while open"), "write"));
      return;
    }
    stats.syncs++;
    stats.records += batch.records;
    stats.appended += length;
    done(batch);
  }

  function done(batch: Batch, err?: Error): void {
    inFlight = false;
    for (const w of batch.waiters) err ? w.reject(err) : w.resolve();
    if (!err && !pending && size > maxBytes && !inherited) {
      try {
        truncate();
      } catch {
        // The store cannot commit now (a store fault): the log grows until the next append retries.
      }
    }
    flush();
  }

  return {
    path,
    append(intents) {
      return new Promise<void>((resolve, reject) => {
        pending ??= { chunks: [], records: 0, waiters: [] };
        pending.chunks.push(encodeIntents(intents));
        pending.records += intents.length;
        pending.waiters.push({ resolve, reject });
        flush();
      });
    },
    read() {
      try {
        return decodeIntents(readFileSync(path));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return decodeIntents(Buffer.alloc(0));
        throw fail(err, "read");
      }
    },
    recovered() {
      try {
        truncate();
      } catch (err) {
        throw err instanceof OpsbotError ? err : fail(err, "truncate");
      }
    },
    stats: () => ({ ...stats, bytes: size }),
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
