/**
 * The transport-free reply model. Commands, alerts and run reporters build these; each chat adapter
 * renders them (Block Kit in Slack, plain text in the console). Keep it small: anything a renderer
 * cannot show must degrade to text.
 */
export interface Button {
  /** Routed to the action handler registered under this id. Never trusted as identity. */
  actionId: string;
  label: string;
  /** Opaque value handed back to the action handler (e.g. a run id). */
  value: string;
  style?: "primary" | "danger";
}

export interface Field {
  label: string;
  value: string;
}

export type Block =
  | { type: "heading"; text: string }
  | { type: "text"; text: string }
  | { type: "fields"; fields: Field[] }
  | { type: "table"; columns: string[]; rows: string[][]; caption?: string }
  | { type: "code"; text: string }
  | { type: "buttons"; buttons: Button[] }
  /** Small print under the answer: data age, who approved, hints. */
  | { type: "context"; text: string };

/** A file that goes with a reply (a chart): uploaded after its text in Slack, saved by the console. */
export interface ReplyFile {
  filename: string;
  title: string;
  content: Uint8Array | string;
}

export interface Reply {
  blocks: Block[];
  /** Files attached to the answer. Files are visible to the whole channel: never on ephemeral replies. */
  files?: ReplyFile[];
  /** The answer reports a problem (user error, denied, failure). */
  isError?: boolean;
  /** Show only to the asking user, where the transport can. */
  ephemeral?: boolean;
  /** User ids to notify (a Slack `<@id>` mention; the console prints `@id`). Ids, never names. */
  mention?: string[];
}

export const heading = (text: string): Block => ({ type: "heading", text });
export const text = (body: string): Block => ({ type: "text", text: body });
export const fields = (entries: Field[] | Record<string, string>): Block => ({
  type: "fields",
  fields: Array.isArray(entries)
    ? entries
    : Object.entries(entries).map(([label, value]) => ({ label, value })),
});
export const table = (columns: string[], rows: string[][], caption?: string): Block =>
  caption === undefined ? { type: "table", columns, rows } : { type: "table", columns, rows, caption };
export const code = (body: string): Block => ({ type: "code", text: body });
export const buttons = (...list: Button[]): Block => ({ type: "buttons", buttons: list });
export const context = (body: string): Block => ({ type: "context", text: body });

export function reply(...blocks: Block[]): Reply {
  return { blocks };
}

export function errorReply(message: string, details: string[] = []): Reply {
  const blocks: Block[] = [text(message)];
  if (details.length > 0) blocks.push(text(details.map((d) => `• ${d}`).join("\n")));
  return { blocks, isError: true };
}

/** Plain-text fallback for any reply: used by notifications, logs and the console renderer. */
export function replyToPlainText(r: Reply): string {
  return r.blocks
    .map((b) => {
      switch (b.type) {
        case "heading":
        case "text":
        case "context":
        case "code":
          return b.text;
        case "fields":
          return b.fields.map((f) => `${f.label}: ${f.value}`).join("\n");
        case "table":
          return [b.caption, b.columns.join(" | "), ...b.rows.map((row) => row.join(" | "))]
            .filter((line) => line !== undefined)
            .join("\n");
        case "buttons":
          return b.buttons.map((btn) => `[${btn.label}]`).join(" ");
      }
      return "";
    })
    .join("\n");
}
