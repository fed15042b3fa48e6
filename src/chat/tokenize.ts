import { UsageError } from "../lib/errors.js";

export interface Token {
  /** The token's text with quotes removed and escapes applied. */
  value: string;
  /** For `key=value` written with an unquoted key: the key (the value may itself contain `=`). */
  key?: string;
  /** The token was (at least partly) quoted, so it is never a flag or a key=value pair by accident. */
  quoted: boolean;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Splits a chat line into tokens, shell-like but simpler: whitespace separates, "double" and 'single'
 * quotes group (backslash escapes work outside single quotes), and `key=value` splits at the FIRST
 * unquoted `=` so values like URLs or base64 (`token=YWJj==`) stay whole. Chat clients turn quotes
 * into “smart quotes”; those are accepted too.
 */
export function tokenize(input: string): Token[] {
  const text = input.replace(/[\u201C\u201D]/g, '"').replace(/[\u2018\u2019]/g, "'");
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    let value = "";
    let quoted = false;
    let key: string | undefined;
    const start = i;
    while (i < text.length && !/\s/.test(text[i]!)) {
      const ch = text[i]!;
      if (ch === '"' || ch === "'") {
        const close = findClosingQuote(text, i);
        if (close < 0) {
          throw new UsageError(
            `Unterminated ${ch === '"' ? "double" : "single"} quote at character ${i + 1}.`,
            [`Close the quote that starts at: ${text.slice(i, i + 20)}`],
          );
        }
        const inner = text.slice(i + 1, close);
        value += ch === '"' ? inner.replace(/\\(["\\$`])/g, "$1") : inner;
        quoted = true;
        i = close + 1;
      } else if (ch === "\\" && i + 1 < text.length) {
        value += text[i + 1];
        i += 2;
      } else if (ch === "=" && key === undefined && !quoted && KEY.test(value)) {
        key = value;
        value = "";
        i++;
      } else {
        value += ch;
        i++;
      }
    }
    if (key !== undefined) tokens.push({ key, value, quoted });
    else tokens.push({ value, quoted: quoted || text.slice(start, i).includes("\\") });
  }
  return tokens;
}

function findClosingQuote(text: string, open: number): number {
  const quote = text[open];
  for (let j = open + 1; j < text.length; j++) {
    if (quote === '"' && text[j] === "\\") {
      j++;
      continue;
    }
    if (text[j] === quote) return j;
  }
  return -1;
}
