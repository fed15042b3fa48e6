/**
 * Text helpers for Slack's mrkdwn. Everything opsbot shows may contain device data (interface
 * descriptions, command output), so `&`, `<` and `>` are always escaped: otherwise a device named
 * `<!channel>` would ping a whole channel, and `<https://evil|ok>` would render as a disguised link.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Shortens to `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

export interface Piece {
  /** The original text of this piece. */
  raw: string;
  /** The same piece escaped, at most `max` characters. */
  escaped: string;
}

/** Length a character takes once escaped (`&amp;`, `&lt;`, `&gt;`). */
const escapedLength = (c: string) => (c === "&" ? 5 : c === "<" || c === ">" ? 4 : 1);

/**
 * Splits text into pieces whose escaped form is at most `max` characters, preferring line breaks; a line
 * too long on its own is cut between characters (never inside an escape). Pieces keep their raw text so
 * fallbacks and files show the original.
 */
export function splitEscaped(
  text: string,
  max: number,
  escapeFn: (s: string) => string = escapeMrkdwn,
): Piece[] {
  const pieces: Piece[] = [];
  let raw: string[] = [];
  let escaped: string[] = [];
  let length = 0;
  const flush = () => {
    if (raw.length === 0) return;
    pieces.push({ raw: raw.join("\n"), escaped: escaped.join("\n") });
    raw = [];
    escaped = [];
    length = 0;
  };
  for (const line of text.split("\n")) {
    const e = escapeFn(line);
    if (e.length > max) {
      flush();
      let start = 0;
      while (start < line.length) {
        let end = start;
        let size = 0;
        while (end < line.length && size + escapedLength(line[end]!) <= max) {
          size += escapedLength(line[end]!);
          end += 1;
        }
        const part = line.slice(start, end);
        pieces.push({ raw: part, escaped: escapeFn(part) });
        start = end;
      }
      continue;
    }
    const added = raw.length === 0 ? e.length : e.length + 1;
    if (length + added > max) flush();
    length += raw.length === 0 ? e.length : e.length + 1;
    raw.push(line);
    escaped.push(e);
  }
  flush();
  if (pieces.length === 0) pieces.push({ raw: "", escaped: "" });
  return pieces;
}

/** A table as aligned monospace lines: header, rule, rows. Cells never contain line breaks. */
export function formatTable(columns: string[], rows: string[][]): { header: string[]; body: string[] } {
  const clean = (cell: string | undefined) => (cell ?? "").replace(/\s*\n\s*/g, " ");
  const width = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => clean(r[i]).length)));
  const line = (cells: string[]) =>
    width
      .map((w, i) => clean(cells[i]).padEnd(w))
      .join("  ")
      .trimEnd();
  return { header: [line(columns), width.map((w) => "-".repeat(w)).join("  ")], body: rows.map(line) };
}

/** Escapes a line for a code fence; Slack cannot escape a fence inside one, so fences are defused. */
export function escapeCode(line: string): string {
  return escapeMrkdwn(line.replace(/```/g, "'''"));
}

/** Wraps already-escaped lines in a code fence. */
export function fence(escapedBody: string): string {
  return `\`\`\`\n${escapedBody}\n\`\`\``;
}

/** Characters the fence adds around an escaped body, for size budgeting. */
export const FENCE_OVERHEAD = 8;
