/**
 * Reads the series of a Prometheus instant-query answer straight from its JSON text (pure), handing
 * each one to a callback as label name/value pairs and its sample value — no object per series, no
 * array per value, which is most of what `JSON.parse` of a batch answer (tens of thousands of series,
 * megabytes) costs. Only the shape Prometheus's API writes is read this way:
 *
 *   {"status":"success","data":{"resultType":"vector","result":[{"metric":{…},"value":[t,"v"]},…]}…}
 *
 * Anything else (another key order, whitespace, histograms, an error answer) returns undefined and
 * the caller parses the text the ordinary way. The envelope around the series (status, resultType,
 * warnings) is returned as JSON text with an empty result, for the caller to parse and check.
 */

/** One series: labels as [name, value, name, value, …] (reused: copy what you keep), the value as printed. */
export type SeriesCallback = (labels: readonly string[], value: string) => void;

const HEAD = '{"status":"success","data":{"resultType":"vector","result":[';
const METRIC = '{"metric":{';
const VALUE = ',"value":[';

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const CLOSE_BRACE = 125;
const CLOSE_BRACKET = 93;

/** Thrown inside the scan when the text is not the expected shape; never escapes scanVector. */
class Unexpected extends Error {}

/**
 * Calls `onSeries` for every series and returns the envelope's JSON text, or returns undefined when the
 * text is not in the expected shape — possibly after some calls: a caller that falls back must discard
 * what it collected.
 */
export function scanVector(text: string, onSeries: SeriesCallback): string | undefined {
  if (!text.startsWith(HEAD)) return undefined;
  // Two label arrays, swapped per series: the previous series' strings are reused where the text
  // repeats them (see readString), so a batch of thousands of series allocates mostly the strings
  // that differ from the series before (Prometheus sorts series by labels: names, keys, index values
  // and label strings mostly repeat from one series to the next; the device label does not).
  let labels: string[] = [];
  let previous: string[] = [];
  // Bit n: slot n (the first 30) was decoded from escapes, in this and in the previous series.
  let escaped = 0;
  let previousEscaped = 0;
  let value = "";
  let valueEscaped = true;
  const read = { end: 0, decoded: false };
  let i = HEAD.length;
  try {
    if (text.charCodeAt(i) !== CLOSE_BRACKET) {
      for (;;) {
        if (!text.startsWith(METRIC, i)) throw new Unexpected();
        i += METRIC.length;
        const swap = previous;
        previous = labels;
        labels = swap;
        // Overwritten slot by slot, the length set only when it differs: emptying the array would
        // drop its backing store and every push of the next series would grow a new one.
        let n = 0;
        previousEscaped = escaped;
        escaped = 0;
        if (text.charCodeAt(i) !== CLOSE_BRACE) {
          for (;;) {
            for (let part = 0; part < 2; part++) {
              const slot = n++;
              const masked = slot >= MASKED_SLOTS || (previousEscaped & (1 << slot)) !== 0;
              const string = readString(text, i, masked ? undefined : previous[slot], read);
              if (slot < labels.length) labels[slot] = string;
              else labels.push(string);
              if (read.decoded && slot < MASKED_SLOTS) escaped |= 1 << slot;
              i = read.end;
              if (part === 0) {
                if (text.charCodeAt(i) !== COLON) throw new Unexpected();
                i++;
              }
            }
            const c = text.charCodeAt(i);
            if (c === CLOSE_BRACE) break;
            if (c !== COMMA) throw new Unexpected();
            i++;
          }
        }
        i++; // the metric's closing brace
        if (!text.startsWith(VALUE, i)) throw new Unexpected();
        const comma = text.indexOf(",", i + VALUE.length);
        if (comma < 0) throw new Unexpected();
        value = readString(text, comma + 1, valueEscaped ? undefined : value, read);
        valueEscaped = read.decoded;
        i = read.end;
        if (text.charCodeAt(i) !== CLOSE_BRACKET || text.charCodeAt(i + 1) !== CLOSE_BRACE) {
          throw new Unexpected();
        }
        i += 2;
        if (labels.length !== n) labels.length = n;
        onSeries(labels, value);
        const c = text.charCodeAt(i);
        if (c === CLOSE_BRACKET) break;
        if (c !== COMMA) throw new Unexpected();
        i++;
      }
    }
  } catch (err) {
    if (err instanceof Unexpected) return undefined;
    throw err;
  }
  return text.slice(0, HEAD.length) + text.slice(i);
}

const MASKED_SLOTS = 30;

/**
 * Reads the JSON string starting at `i` (its opening quote); sets `read.end` to the index after it and
 * `read.decoded` when it held escapes. When the text holds exactly `reuse` followed by a quote, `reuse`
 * itself is returned instead of a new copy. The caller passes only strings that were not decoded from
 * escapes: the text then holds them literally, without a backslash, so the quote after really closes it.
 */
function readString(
  text: string,
  i: number,
  reuse: string | undefined,
  read: { end: number; decoded: boolean },
): string {
  if (text.charCodeAt(i) !== QUOTE) throw new Unexpected();
  read.decoded = false;
  if (
    reuse !== undefined &&
    text.charCodeAt(i + 1 + reuse.length) === QUOTE &&
    text.startsWith(reuse, i + 1)
  ) {
    read.end = i + 2 + reuse.length;
    return reuse;
  }
  let end = text.indexOf('"', i + 1);
  for (;;) {
    if (end < 0) throw new Unexpected();
    // A quote preceded by an odd number of backslashes is part of the string.
    let slashes = 0;
    while (text.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) break;
    end = text.indexOf('"', end + 1);
  }
  read.end = end + 1;
  const raw = text.slice(i + 1, end);
  if (!raw.includes("\\")) return raw;
  read.decoded = true;
  return decode(`"${raw}"`);
}

function decode(literal: string): string {
  try {
    return JSON.parse(literal) as string;
  } catch {
    throw new Unexpected();
  }
}
