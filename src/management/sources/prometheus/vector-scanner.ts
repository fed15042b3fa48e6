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
  const labels: string[] = [];
  let i = HEAD.length;
  try {
    if (text.charCodeAt(i) !== CLOSE_BRACKET) {
      for (;;) {
        if (!text.startsWith(METRIC, i)) throw new Unexpected();
        i += METRIC.length;
        labels.length = 0;
        if (text.charCodeAt(i) !== CLOSE_BRACE) {
          for (;;) {
            i = readString(text, i, labels);
            if (text.charCodeAt(i) !== COLON) throw new Unexpected();
            i = readString(text, i + 1, labels);
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
        i = readString(text, comma + 1, labels);
        const value = labels.pop()!;
        if (text.charCodeAt(i) !== CLOSE_BRACKET || text.charCodeAt(i + 1) !== CLOSE_BRACE) {
          throw new Unexpected();
        }
        i += 2;
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

/** Reads the JSON string starting at `i` (its opening quote) onto `out`; returns the index after it. */
function readString(text: string, i: number, out: string[]): number {
  if (text.charCodeAt(i) !== QUOTE) throw new Unexpected();
  let end = text.indexOf('"', i + 1);
  for (;;) {
    if (end < 0) throw new Unexpected();
    // A quote preceded by an odd number of backslashes is part of the string.
    let slashes = 0;
    while (text.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) break;
    end = text.indexOf('"', end + 1);
  }
  const raw = text.slice(i + 1, end);
  out.push(raw.includes("\\") ? decode(`"${raw}"`) : raw);
  return end + 1;
}

function decode(literal: string): string {
  try {
    return JSON.parse(literal) as string;
  } catch {
    throw new Unexpected();
  }
}
