/**
 * The records of the step intent log (intent-log.ts), as bytes: one line per record,
 *
 *   <crc32 of the JSON, 8 hex digits> <JSON>\n      e.g.  1a2b3c4d {"r":12,"k":"s3","p":2000000,"a":1,"t":1764670000000}
 *
 * so `cat` shows what a crash left behind. Pure: no I/O here.
 *
 * Reading tells a torn tail from corruption: the log is only ever appended to, and an append is
 * acknowledged (its step's action begins) only after it is on disk. Bad bytes after the last good
 * record are the unacknowledged end of an append cut short (no newline, a half-written line, the zeros
 * a file system leaves in blocks it extended but never wrote): ignored. A bad record with a good one
 * after it cannot be explained by a cut-short append: reported, and the records around it still count.
 */
export interface StepIntent {
  runId: number;
  /** The step's key in its run (the journal's run_steps.key). */
  key: string;
  /** The step's position in its run's plan (its ordinal), so a reader knows it without the plan. */
  position: number;
  attempt: number;
  /** When the action was about to begin (ms since epoch). */
  at: number;
}

export interface DecodedIntents {
  intents: StepIntent[];
  /** Bad records followed by good ones: "byte 4096: checksum mismatch". */
  problems: string[];
  /** Bytes of an unacknowledged torn tail, ignored. */
  tornBytes: number;
}

const NEWLINE = 0x0a;

export function encodeIntents(intents: readonly StepIntent[]): Buffer {
  let text = "";
  for (const i of intents) {
    const json = JSON.stringify({ r: i.runId, k: i.key, p: i.position, a: i.attempt, t: i.at });
    text += `00000000 ${json}\n`;
  }
  // One buffer; each line's checksum is computed over its JSON bytes in place and written over its zeros.
  const bytes = Buffer.from(text, "utf8");
  for (let start = 0; start < bytes.length; ) {
    const end = bytes.indexOf(NEWLINE, start);
    bytes.write(hex(crc32Bytes(bytes, start + 9, end)), start, "latin1");
    start = end + 1;
  }
  return bytes;
}

export function decodeIntents(bytes: Buffer): DecodedIntents {
  const intents: StepIntent[] = [];
  const bad: { at: number; why: string }[] = [];
  let goodEnd = 0;
  let badSinceGood: { at: number; why: string }[] = [];
  for (let at = 0; at < bytes.length; ) {
    const nl = bytes.indexOf(NEWLINE, at);
    const end = nl === -1 ? bytes.length : nl + 1;
    const parsed = nl === -1 ? "no end of line" : parseLine(bytes.toString("utf8", at, nl));
    if (typeof parsed === "string") badSinceGood.push({ at, why: parsed });
    else {
      intents.push(parsed);
      bad.push(...badSinceGood);
      badSinceGood = [];
      goodEnd = end;
    }
    at = end;
  }
  return {
    intents,
    problems: bad.map((b) => `byte ${b.at}: ${b.why}`),
    tornBytes: bytes.length - goodEnd,
  };
}

/** A record, or why the line is not one. */
function parseLine(line: string): StepIntent | string {
  const space = line.indexOf(" ");
  if (space !== 8) return "not a record";
  const json = line.slice(9);
  if (line.slice(0, 8) !== hex(crc32(json))) return "checksum mismatch";
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return "checksum matches but the record is not JSON";
  }
  const { r, k, p, a, t } = o;
  if (!isInt(r) || typeof k !== "string" || !isInt(p) || !isInt(a) || !isInt(t))
    return "checksum matches but a field is missing or mistyped";
  return { runId: r, key: k, position: p, attempt: a, at: t };
}

const isInt = (v: unknown): v is number => Number.isSafeInteger(v);

const hex = (n: number) => n.toString(16).padStart(8, "0");

/**
 * CRC-32 (IEEE, as zlib's) of a string's UTF-8 bytes. zlib.crc32 would do, but only from Node 20.15;
 * the package supports 20.11.
 */
export function crc32(text: string): number {
  const bytes = Buffer.from(text, "utf8");
  return crc32Bytes(bytes, 0, bytes.length);
}

function crc32Bytes(bytes: Buffer, from: number, to: number): number {
  let c = 0xffffffff;
  for (let i = from; i < to; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
