import { appendFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { crc32 as zlibCrc32 } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { createIntentLog } from "../../src/store/intent-log.js";
import { crc32, decodeIntents, encodeIntents, type StepIntent } from "../../src/store/intent-record.js";
import { tempStore } from "../support/orch-store.js";

/**
 * The step intent log: its records (round trip, torn tail, corruption) and the file on a real file
 * system next to a real SQLite store (group commit, rotation after a durable point, failures).
 */
const intent = (runId: number, key: string, attempt = 1): StepIntent => ({
  runId,
  key,
  position: 1_000_000 * runId,
  attempt,
  at: 1_764_670_000_000 + attempt,
});

describe("intent records", () => {
  it("round-trip, keys with any characters included", () => {
    const intents = [intent(1, "s0"), intent(2, 'odd "key"\n with ünïcode', 3), intent(3, "")];
    expect(decodeIntents(encodeIntents(intents))).toEqual({ intents, problems: [], tornBytes: 0 });
  });

  it("CRC-32 is zlib's (where this Node has it)", () => {
    const text = '{"r":1,"k":"s0","p":0,"a":1,"t":1}';
    if (typeof zlibCrc32 === "function") expect(crc32(text)).toBe(zlibCrc32(text));
    expect(crc32("123456789")).toBe(0xcbf43926);
  });

  it("a torn final record — cut short, half a line, or zeros the file system left — is ignored, not reported", () => {
    const good = encodeIntents([intent(1, "a"), intent(1, "b")]);
    const next = encodeIntents([intent(1, "c")]);
    for (const tail of [next.subarray(0, 20), next.subarray(0, next.length - 1), Buffer.alloc(512)]) {
      const decoded = decodeIntents(Buffer.concat([good, tail]));
      expect(decoded.intents.map((i) => i.key)).toEqual(["a", "b"]);
      expect(decoded.problems).toEqual([]);
      expect(decoded.tornBytes).toBe(tail.length);
    }
    // A whole line with a wrong checksum, as the last thing in the file, is a torn append too.
    const flipped = Buffer.from(next);
    flipped[12] = flipped[12]! ^ 1;
    expect(decodeIntents(Buffer.concat([good, flipped]))).toMatchObject({
      problems: [],
      tornBytes: next.length,
    });
  });

  it("a bad record with good ones after it is reported by byte offset; the good ones still count", () => {
    const a = encodeIntents([intent(1, "a")]);
    const b = Buffer.from(encodeIntents([intent(1, "b")]));
    b[15] = b[15]! ^ 0x20; // one flipped bit inside the JSON
    const c = encodeIntents([intent(1, "c")]);
    const decoded = decodeIntents(Buffer.concat([a, b, Buffer.from("garbage\n"), c]));
    expect(decoded.intents.map((i) => i.key)).toEqual(["a", "c"]);
    expect(decoded.problems).toEqual([
      `byte ${a.length}: checksum mismatch`,
      `byte ${a.length + b.length}: not a record`,
    ]);
    expect(decoded.tornBytes).toBe(0);
  });
});

describe("intent log file", () => {
  let t: ReturnType<typeof tempStore> | undefined;
  afterEach(() => {
    t?.cleanup();
    t = undefined;
  });

  it("appends made while one is syncing are written and synced together (group commit)", async () => {
    t = tempStore();
    const log = t.store.intents;
    expect(log.path).toBe(`${t.path}.intents`);
    const first = log.append([intent(1, "s0")]);
    // These three arrive while the first append is on the threadpool: they share the next sync.
    const rest = [
      log.append([intent(2, "s0")]),
      log.append([intent(3, "s0")]),
      log.append([intent(4, "s0")]),
    ];
    await Promise.all([first, ...rest]);
    expect(log.stats()).toMatchObject({ syncs: 2, records: 4 });
    expect(log.read().intents.map((i) => i.runId)).toEqual([1, 2, 3, 4]);
    expect(statSync(log.path).size).toBe(log.stats().bytes);
  });

  it("stays bounded: past maxBytes it commits a durable point in the store, then empties itself", async () => {
    t = tempStore({ intentLogMaxBytes: 1024 });
    const log = t.store.intents;
    const record = encodeIntents([intent(1, "step-0")]).length;
    let largest = 0;
    for (let i = 0; i < 200; i++) {
      await log.append([intent(1, `step-${i % 10}`)]);
      largest = Math.max(largest, statSync(log.path).size);
    }
    expect(largest).toBeLessThanOrEqual(1024 + record);
    const rotations = log.stats().rotations;
    expect(rotations).toBeGreaterThanOrEqual(200 / Math.ceil(1024 / record) - 1);
    const row = t.store.db.prepare("SELECT rotations FROM intent_log_rotations").get() as {
      rotations: number;
    };
    expect(row.rotations).toBe(rotations);
  });

  it("a previous process's records are never rotated away before recovery has read them", async () => {
    t = tempStore({ intentLogMaxBytes: 256 });
    const path = `${t.path}.intents`;
    writeFileSync(path, encodeIntents([intent(7, "lost-start")]));
    const log = t.store.intents;
    for (let i = 0; i < 20; i++) await log.append([intent(8, `s${i}`)]);
    expect(log.stats().rotations).toBe(0);
    expect(log.read().intents[0]).toEqual(intent(7, "lost-start"));
    log.recovered();
    expect(statSync(path).size).toBe(0);
    // From here on it rotates as usual.
    for (let i = 0; i < 20; i++) await log.append([intent(8, `s${i}`)]);
    expect(log.stats().rotations).toBeGreaterThan(1);
  });

  it("cannot be written (a directory in its place, its file removed while open): the append rejects with the path and the reason", async () => {
    t = tempStore();
    const path = `${t.path}.intents`;
    mkdirSync(path);
    const log = t.store.intents;
    await expect(log.append([intent(1, "s0")])).rejects.toThrow(
      `Cannot open the step intent log ${path}: EISDIR`,
    );
    rmSync(path, { recursive: true });
    await log.append([intent(1, "s0")]);
    // Removed while open: writes into the unlinked file would "succeed" into nothing.
    rmSync(path);
    await expect(log.append([intent(1, "s1")])).rejects.toThrow(/the file was removed while open/);
    // The next append opens a new file; nothing of the failed one is in it.
    await log.append([intent(1, "s2")]);
    expect(log.read().intents.map((i) => i.key)).toEqual(["s2"]);
  });

  it("a log that is only a torn record reads as empty", () => {
    t = tempStore();
    appendFileSync(`${t.path}.intents`, '0badc0de {"r":1,');
    expect(createIntentLog(`${t.path}.intents`, { durablePoint: () => {} }).read()).toEqual({
      intents: [],
      problems: [],
      tornBytes: 16,
    });
    expect(readFileSync(`${t.path}.intents`, "utf8")).toBe('0badc0de {"r":1,');
  });
});
