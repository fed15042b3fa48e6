import { describe, expect, it } from "vitest";
import { type FsProbe, unwritableMessage, unwritableReason } from "../../src/store/open-errors.js";

/** The diagnosis behind start-up's "cannot write" sentence, from file-system answers (fake probe). */
function probe(o: {
  denied?: Record<string, string>;
  files?: Record<string, { uid: number; mode: number; isFile?: boolean }>;
}): FsProbe {
  return {
    writable(path) {
      const code = o.denied?.[path];
      if (code) throw Object.assign(new Error(code), { code });
    },
    stat: (path) => {
      const f = o.files?.[path];
      return f ? { uid: f.uid, mode: f.mode, isFile: f.isFile ?? true } : undefined;
    },
    uid: () => 1000,
  };
}

const DB = "/var/lib/opsbot/opsbot.db";

describe("why a database cannot be written", () => {
  it("a directory the bot's uid cannot write: names the uid, the owner and the mode", () => {
    const fs = probe({
      denied: { "/var/lib/opsbot": "EACCES" },
      files: { "/var/lib/opsbot": { uid: 0, mode: 0o40755, isFile: false } },
    });
    expect(unwritableReason(DB, fs)).toBe(
      "the directory /var/lib/opsbot is not writable by uid 1000 (owner uid 0, mode 0755): SQLite creates opsbot.db-wal and opsbot.db-shm there",
    );
  });

  it("a read-only mount wins over everything else", () => {
    const fs = probe({
      denied: { "/var/lib/opsbot": "EROFS", [DB]: "EROFS" },
      files: { [DB]: { uid: 1000, mode: 0o100644 } },
    });
    expect(unwritableReason(DB, fs)).toBe("/var/lib/opsbot is on a read-only file system");
  });

  it("a file the uid cannot write, in a writable directory", () => {
    const fs = probe({ denied: { [DB]: "EACCES" }, files: { [DB]: { uid: 0, mode: 0o100444 } } });
    expect(unwritableReason(DB, fs)).toBe("the file is not writable by uid 1000 (owner uid 0, mode 0444)");
  });

  it("nothing wrong that the file system can tell: no reason (the caller keeps SQLite's own message)", () => {
    expect(unwritableReason(DB, probe({}))).toBeUndefined();
  });

  it("the sentence names the path and what to do", () => {
    expect(unwritableMessage(DB, "x")).toMatch(
      /^Cannot write \/var\/lib\/opsbot\/opsbot.db: x\. .*OPSBOT_DB \(or --db\)/,
    );
  });
});
