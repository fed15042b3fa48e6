import { accessSync, constants, statSync } from "node:fs";
import { basename, dirname } from "node:path";

/**
 * Why a database cannot be written, in words an operator can act on: the file system is mounted
 * read-only, the directory (where SQLite must create the -wal and -shm files) or the file is not
 * writable by this uid, or the -wal/-shm path is taken by something else. SQLite itself only says
 * "attempt to write a readonly database" or "unable to open database file".
 */
export interface FsProbe {
  /** Throws (with a code: EACCES, EROFS, ENOENT…) when `path` is not writable. */
  writable(path: string): void;
  stat(path: string): { uid: number; mode: number; isFile: boolean } | undefined;
  uid(): number | undefined;
}

export const realFsProbe: FsProbe = {
  writable: (path) => accessSync(path, constants.W_OK),
  stat(path) {
    try {
      const s = statSync(path);
      return { uid: s.uid, mode: s.mode, isFile: s.isFile() };
    } catch {
      return undefined;
    }
  },
  uid: () => process.getuid?.(),
};

export function unwritableReason(path: string, fs: FsProbe = realFsProbe): string | undefined {
  const dir = dirname(path);
  const uid = fs.uid();
  const who = uid === undefined ? "this user" : `uid ${uid}`;
  const owner = (p: string) => {
    const s = fs.stat(p);
    return s ? ` (owner uid ${s.uid}, mode ${(s.mode & 0o777).toString(8).padStart(4, "0")})` : "";
  };
  const problem = (p: string): string | undefined => {
    try {
      fs.writable(p);
      return undefined;
    } catch (err) {
      return (err as { code?: string }).code ?? "error";
    }
  };
  const file = fs.stat(path);
  const dirProblem = problem(dir);
  if (dirProblem === "EROFS" || (file && problem(path) === "EROFS"))
    return `${dir} is on a read-only file system`;
  if (file && !file.isFile) return `${path} is not a regular file`;
  if (file) {
    const p = problem(path);
    if (p === "EACCES" || p === "EPERM") return `the file is not writable by ${who}${owner(path)}`;
  }
  if (dirProblem === "EACCES" || dirProblem === "EPERM")
    return `the directory ${dir} is not writable by ${who}${owner(dir)}: SQLite creates ${basename(path)}-wal and ${basename(path)}-shm there`;
  if (dirProblem === "ENOENT") return `the directory ${dir} does not exist and could not be created`;
  for (const side of [`${path}-wal`, `${path}-shm`]) {
    const s = fs.stat(side);
    if (s && !s.isFile) return `${side} exists but is not a file, so SQLite cannot open its write-ahead log`;
    if (s && problem(side)) return `${side} is not writable by ${who}${owner(side)}`;
  }
  return undefined;
}

/** The sentence start-up prints when the database cannot be opened for writing. */
export function unwritableMessage(path: string, reason: string): string {
  return `Cannot write ${path}: ${reason}. opsbot must write its database (and the -wal and -shm files next to it): fix the permission or mount, or point OPSBOT_DB (or --db) at a writable path.`;
}
