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
  /** Preformatted text; `filename` names it where a transport sends a long one as a file. */
  | { type: "code"; text: string; filename?: string }
  | { type: "buttons"; buttons: Button[] }
  /** Small print under the answer: data age, who approved, hints. */
  | { type: "context"; text: string };

/**
 * The machine-readable answer next to the rendered blocks (`opsbot ask --json`; schema in docs/json.md):
 * `kind` names the payload, `version` its schema version; times are ISO 8601 UTC strings, numbers are in
 * base units (seconds, bytes, bits per second), statuses are enums — never presentation strings.
 */
export interface ReplyData {
  kind: string;
  version: number;
  [field: string]: unknown;
}

/** The schema version of every payload kind documented in docs/json.md. */
export const DATA_VERSION = 1;

/** A payload of `kind` at the current schema version. */
export function dataOf(kind: string, fields: Record<string, unknown>): ReplyData {
  return { kind, version: DATA_VERSION, ...fields };
}

/** ms since epoch → ISO 8601 UTC; null stays null. */
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

export interface Reply {
  blocks: Block[];
  /** The same answer as data, for scripts and tools (see ReplyData). */
  data?: ReplyData;
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
export const code = (body: string, filename?: string): Block =>
  filename === undefined ? { type: "code", text: body } : { type: "code", text: body, filename };
export const buttons = (...list: Button[]): Block => ({ type: "buttons", buttons: list });
export const context = (body: string): Block => ({ type: "context", text: body });

export function reply(...blocks: Block[]): Reply {
  return { blocks };
}

export function errorReply(message: string, details: string[] = [], code?: string): Reply {
  const blocks: Block[] = [text(message)];
  if (details.length > 0) blocks.push(text(details.map((d) => `• ${d}`).join("\n")));
  return {
    blocks,
    isError: true,
    data: dataOf("error", { ...(code === undefined ? {} : { code }), message, details }),
  };
}

/** The reply with its data payload: `reply(...).data` is set once the answer's model is known. */
export function withData(r: Reply, data: ReplyData): Reply {
  return { ...r, data };
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
