import type { Block, Reply } from "../reply.js";

export interface TextRenderOptions {
  /** Number buttons starting here; the console maps the numbers back to actions. */
  firstButtonNumber?: number;
  /** ANSI emphasis for headings and small print. */
  color?: boolean;
}

/** Renders the reply model as plain text for a terminal. Tables are column-aligned. */
export function renderText(reply: Reply, options: TextRenderOptions = {}): string {
  let n = options.firstButtonNumber ?? 1;
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
        return [block.caption, alignTable(block.columns, block.rows)].filter(Boolean).join("\n");
      case "buttons":
        return block.buttons.map((b) => `[${n++}] ${b.label}`).join("   ");
    }
    return "";
  });
  return out.join("\n");
}

function alignTable(columns: string[], rows: string[][]): string {
  if (rows.length === 0) return `(no rows) ${columns.join(" | ")}`;
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [
    line(columns.map((c) => c.toUpperCase())),
    ...rows.map((r) => line(columns.map((_, i) => r[i] ?? ""))),
  ].join("\n");
}

/** Every button in a reply, in render order. */
export function buttonsOf(reply: Reply) {
  return reply.blocks.flatMap((b) => (b.type === "buttons" ? b.buttons : []));
}
