import type { Block, Reply } from "../reply.js";

export interface TextRenderOptions {
  /** Number buttons starting here; the console maps the numbers back to actions. */
  firstButtonNumber?: number;
  /** Or the number of each button, in render order (a re-rendered message keeps its numbers). */
  buttonNumbers?: number[];
  /** ANSI emphasis for headings and small print. */
  color?: boolean;
  /** Terminal width: tables are fitted to it, long cells cut with "…". Unset = no limit. */
  width?: number;
}

/** Renders the reply model as plain text for a terminal. Tables are column-aligned. */
export function renderText(reply: Reply, options: TextRenderOptions = {}): string {
  let n = options.firstButtonNumber ?? 1;
  let b = 0;
  const number = () => options.buttonNumbers?.[b++] ?? n++;
  const bold = (s: string) => (options.color ? `\x1b[1m${s}\x1b[0m` : s);
  const dim = (s: string) => (options.color ? `\x1b[2m${s}\x1b[0m` : s);
  const out = reply.blocks.map((block: Block, index) => {
    switch (block.type) {
      case "heading":
        return bold(block.text);
      case "text":
        return (reply.isError && index === 0 ? "! " : "") + block.text;
      case "context":
        return dim(block.text);
      case "code":
        return block.text
          .split("\n")
          .map((l) => `    ${l}`)
          .join("\n");
      case "fields": {
        const width = Math.max(...block.fields.map((f) => f.label.length));
        return block.fields.map((f) => `${`${f.label}:`.padEnd(width + 2)}${f.value}`).join("\n");
      }
      case "table":
        return [block.caption, alignTable(block.columns, block.rows, options.width)]
          .filter(Boolean)
          .join("\n");
      case "buttons":
        return block.buttons.map((btn) => `[${number()}] ${btn.label}`).join("   ");
    }
    return "";
  });
  if (reply.mention?.length) out.unshift(reply.mention.map((id) => `@${id}`).join(" "));
  return out.join("\n");
}

const GAP = 2;
/** A column is never cut below this (or its heading), so every column stays recognisable. */
const MIN_COLUMN = 6;

function alignTable(columns: string[], rows: string[][], width?: number): string {
  if (rows.length === 0) return `(no rows) ${columns.join(" | ")}`;
  const widths = fitWidths(
    columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? "").length))),
    columns,
    width,
  );
  const cut = (c: string, w: number) => (c.length <= w ? c : `${c.slice(0, Math.max(0, w - 1))}…`);
  let shortened = false;
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const shown = cut(c, widths[i]!);
        if (shown !== c) shortened = true;
        return i === cells.length - 1 ? shown : shown.padEnd(widths[i]!);
      })
      .join(" ".repeat(GAP))
      .trimEnd();
  const out = [
    line(columns.map((c) => c.toUpperCase())),
    ...rows.map((r) => line(columns.map((_, i) => r[i] ?? ""))),
  ];
  if (shortened)
    out.push("(… = cut to fit the terminal; `opsbot ask --json` or `details` show every value in full)");
  return out.join("\n");
}

/** Shrinks the widest columns, one character at a time, until the row fits the terminal. */
function fitWidths(natural: number[], columns: string[], width?: number): number[] {
  const widths = [...natural];
  if (width === undefined || width <= 0) return widths;
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
  const floor = (i: number) => Math.min(natural[i]!, Math.max(MIN_COLUMN, columns[i]!.length));
  while (total() > width) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++)
      if (widths[i]! > floor(i) && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    if (widest < 0) break; // every column at its floor: let the terminal wrap
    widths[widest]!--;
  }
  return widths;
}

/** Every button in a reply, in render order. */
export function buttonsOf(reply: Reply) {
  return reply.blocks.flatMap((b) => (b.type === "buttons" ? b.buttons : []));
}
