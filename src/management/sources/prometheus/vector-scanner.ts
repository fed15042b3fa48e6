/**
 * Reads the series of a Prometheus instant-query answer straight from its bytes (pure), handing each
 * one to a callback as label name/value pairs and its sample value — no object per series, no array
 * per value, which is most of what `JSON.parse` of a batch answer (tens of thousands of series,
 * megabytes) costs, and no decoding of the whole answer into one string first: only the label strings
 * that differ from the series before are decoded. Only the shape Prometheus's API writes is read:
 *
 *   {"status":"success","data":{"resultType":"vector","result":[{"metric":{…},"value":[t,"v"]},…]}…}
 *
 * Anything else (another key order, whitespace, histograms, an error answer, a truncated body, a raw
 * control character in a string) returns undefined and the caller parses the text the ordinary way.
 * The envelope around the series (status, resultType, warnings) is returned as JSON text with an
 * empty result, for the caller to parse and check.
 */

/** One series: labels as [name, value, name, value, …] (reused: copy what you keep), the value as printed. */
export type SeriesCallback = (labels: readonly string[], value: string) => void;

const HEAD = bytes('{"status":"success","data":{"resultType":"vector","result":[');
const METRIC = bytes('{"metric":{');
const VALUE = bytes(',"value":[');

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const CLOSE_BRACE = 125;
const CLOSE_BRACKET = 93;
const SPACE = 32;
const HIGH_BIT = 128;

function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Thrown inside the scan when the text is not the expected shape; never escapes scanVector. */
class Unexpected extends Error {}

/** Where the last string read ended: the index after its closing quote. */
interface Cursor {
  end: number;
}

/**
 * Calls `onSeries` for every series and returns the envelope's JSON text, or returns undefined when the
 * body is not in the expected shape — possibly after some calls: a caller that falls back must discard
 * what it collected. A string is encoded as UTF-8 first (tests, callers holding text).
 */
export function scanVector(body: Uint8Array | string, onSeries: SeriesCallback): string | undefined {
  const buf = typeof body === "string" ? Buffer.from(body, "utf8") : asBuffer(body);
  if (!startsWith(buf, HEAD, 0)) return undefined;
  // Two label arrays, swapped per series, and where each slot's raw bytes were: a slot whose bytes
  // equal the previous series' same slot reuses that string (Prometheus sorts series by labels: names,
  // keys, index values and label strings mostly repeat from one series to the next), so a batch of
  // thousands of series decodes and allocates mostly the strings that differ from the series before.
  let labels: string[] = [];
  let previous: string[] = [];
  let starts: number[] = [];
  let previousStarts: number[] = [];
  let ends: number[] = [];
  let previousEnds: number[] = [];
  let value = "";
  let valueStart = -1;
  let valueEnd = -1;
  const cursor: Cursor = { end: 0 };
  let i = HEAD.length;
  try {
    if (buf[i] !== CLOSE_BRACKET) {
      for (;;) {
        if (!startsWith(buf, METRIC, i)) throw new Unexpected();
        i += METRIC.length;
        const swap = previous;
        previous = labels;
        labels = swap;
        const swapStarts = previousStarts;
        previousStarts = starts;
        starts = swapStarts;
        const swapEnds = previousEnds;
        previousEnds = ends;
        ends = swapEnds;
        // Overwritten slot by slot, the length set only when it differs: emptying the array would
        // drop its backing store and every push of the next series would grow a new one.
        let n = 0;
        if (buf[i] !== CLOSE_BRACE) {
          for (;;) {
            for (let part = 0; part < 2; part++) {
              const slot = n++;
              const known = slot < previous.length;
              const string = readString(
                buf,
                i,
                known ? previous[slot] : undefined,
                known ? previousStarts[slot]! : 0,
                known ? previousEnds[slot]! : -1,
                cursor,
              );
              if (slot < labels.length) {
                labels[slot] = string;
                starts[slot] = i + 1;
                ends[slot] = cursor.end - 1;
              } else {
                labels.push(string);
                starts.push(i + 1);
                ends.push(cursor.end - 1);
              }
              i = cursor.end;
              if (part === 0) {
                if (buf[i] !== COLON) throw new Unexpected();
                i++;
              }
            }
            const c = buf[i];
            if (c === CLOSE_BRACE) break;
            if (c !== COMMA) throw new Unexpected();
            i++;
          }
        }
        i++; // the metric's closing brace
        if (!startsWith(buf, VALUE, i)) throw new Unexpected();
        i += VALUE.length;
        // The sample time: a JSON number, read past (the batch reads timestamp() as a value instead).
        while (i < buf.length && buf[i] !== COMMA) i++;
        i++;
        const start = i + 1;
        value = readString(buf, i, valueStart < 0 ? undefined : value, valueStart, valueEnd, cursor);
        valueStart = start;
        valueEnd = cursor.end - 1;
        i = cursor.end;
        if (buf[i] !== CLOSE_BRACKET || buf[i + 1] !== CLOSE_BRACE) throw new Unexpected();
        i += 2;
        if (labels.length !== n) {
          labels.length = n;
          starts.length = n;
          ends.length = n;
        }
        onSeries(labels, value);
        const c = buf[i];
        if (c === CLOSE_BRACKET) break;
        if (c !== COMMA) throw new Unexpected();
        i++;
      }
    }
  } catch (err) {
    if (err instanceof Unexpected) return undefined;
    throw err;
  }
  return buf.toString("utf8", 0, HEAD.length) + buf.toString("utf8", i);
}

function asBuffer(body: Uint8Array): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

function startsWith(buf: Uint8Array, prefix: Uint8Array, at: number): boolean {
  if (at + prefix.length > buf.length) return false;
  for (let k = 0; k < prefix.length; k++) if (buf[at + k] !== prefix[k]) return false;
  return true;
}

/**
 * Reads the JSON string whose opening quote is at `i`; sets `cursor.end` to the index after its
 * closing quote. When its raw bytes equal those at [reuseStart, reuseEnd) — the string `reuse` was
 * read from — `reuse` itself is returned: equal JSON text decodes to equal strings, escapes or not.
 * Otherwise only this string's bytes are decoded: ASCII as is, UTF-8 as UTF-8 (an invalid sequence
 * as U+FFFD, as a text decoder of the whole answer would), escapes as JSON.parse reads them.
 */
function readString(
  buf: Buffer,
  i: number,
  reuse: string | undefined,
  reuseStart: number,
  reuseEnd: number,
  cursor: Cursor,
): string {
  if (buf[i] !== QUOTE) throw new Unexpected();
  const start = i + 1;
  // The previous series' string first: when the same bytes and a quote follow, that is the whole
  // string, read in one pass — those bytes were one whole string body, so they end outside any
  // escape (a trailing backslash there is the second of a pair) and the quote after them closes it.
  const length = reuseEnd - reuseStart;
  if (reuse !== undefined && buf[start + length] === QUOTE) {
    let k = 0;
    while (k < length && buf[start + k] === buf[reuseStart + k]) k++;
    if (k === length) {
      cursor.end = start + length + 1;
      return reuse;
    }
  }
  let j = start;
  let bits = 0;
  let escaped = false;
  const n = buf.length;
  for (;;) {
    if (j >= n) throw new Unexpected();
    const b = buf[j]!;
    if (b === QUOTE) break;
    // A raw control character is not JSON: the ordinary parse says so.
    if (b < SPACE) throw new Unexpected();
    if (b === BACKSLASH) {
      escaped = true;
      j += 2;
      continue;
    }
    bits |= b;
    j++;
  }
  cursor.end = j + 1;
  if (escaped) {
    try {
      return JSON.parse(buf.toString("utf8", i, j + 1)) as string;
    } catch {
      throw new Unexpected();
    }
  }
  return buf.toString((bits & HIGH_BIT) === 0 ? "latin1" : "utf8", start, j);
}
