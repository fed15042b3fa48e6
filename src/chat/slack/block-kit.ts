import type { Block, Button, Reply } from "../reply.js";
import {
  escapeCode,
  escapeMrkdwn,
  FENCE_OVERHEAD,
  fence,
  formatTable,
  splitEscaped,
  truncate,
} from "./mrkdwn.js";

/**
 * Renders the transport-free reply model as Slack messages within Slack's limits: at most 50 blocks and
 * a bounded size per message, 3,000 characters per section text, 10 fields per section, 150 per header,
 * 25 buttons per actions block. Long tables and code go out as files when the target allows files,
 * otherwise they are split across messages. Every message carries a plain-text fallback. Pure.
 */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  fieldsPerSection: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  buttonsPerBlock: 25,
  buttonText: 75,
  buttonValue: 2000,
  /** Fallback text: shown in notifications; kept short. */
  fallbackText: 3000,
} as const;

export type SlackText = { type: "mrkdwn" | "plain_text"; text: string; emoji?: boolean };
export type SlackButton = {
  type: "button";
  action_id: string;
  text: SlackText;
  value: string;
  style?: "primary" | "danger";
};
export type SlackBlock =
  | { type: "header"; text: SlackText }
  | { type: "section"; text: SlackText }
  | { type: "section"; fields: SlackText[] }
  | { type: "context"; elements: SlackText[] }
  | { type: "actions"; elements: SlackButton[] };

export interface SlackMessage {
  /** Plain-text fallback for notifications and clients that cannot show blocks (mrkdwn-escaped). */
  text: string;
  blocks: SlackBlock[];
}

export interface SlackFile {
  filename: string;
  title: string;
  content: string;
}

export interface RenderedReply {
  messages: SlackMessage[];
  files: SlackFile[];
}

export interface RenderOptions {
  /** Files are visible to the whole channel: never use them for ephemeral replies. Default true. */
  allowFiles?: boolean;
  /** At most this many messages per reply (a slash command's response_url takes five). Default 5. */
  maxMessages?: number;
  /** Character budget of block text per message, well under Slack's total message size. */
  messageChars?: number;
  /** Tables or code longer than this become a file (when allowed). */
  fileThreshold?: number;
}

interface Unit {
  block: SlackBlock;
  /** Plain text of this block for the fallback. */
  plain: string;
  size: number;
}

const DEFAULTS = { allowFiles: true, maxMessages: 5, messageChars: 12_000, fileThreshold: 9_000 };

export function renderReply(reply: Reply, options: RenderOptions = {}): RenderedReply {
  const opts = { ...DEFAULTS, ...options };
  const files: SlackFile[] = [];
  const units: Unit[] = [];
  reply.blocks.forEach((block, index) => {
    units.push(...toUnits(block, index, opts, files));
  });
  if (reply.isError && units[0]?.block.type === "section" && "text" in units[0].block) {
    const first = units[0].block;
    first.text.text = truncate(`:warning: ${first.text.text}`, SLACK_LIMITS.sectionText);
  }
  // Mentions are built here from validated ids only, so no text can smuggle one in.
  const mentions = (reply.mention ?? []).filter((id) => /^[UW][A-Z0-9]{2,}$/.test(id));
  if (mentions.length > 0) {
    const tags = mentions.map((id) => `<@${id}>`).join(" ");
    units.unshift(sectionUnit(tags, tags));
  }
  if (units.length === 0) units.push(sectionUnit(" ", " "));
  const messages = limitMessages(pack(units, opts.messageChars), opts, files);
  return { messages: messages.map(toMessage), files };
}

function toMessage(units: Unit[]): SlackMessage {
  const plain = units
    .map((u) => u.plain)
    .filter((t) => t.trim() !== "")
    .join("\n");
  return {
    text: truncate(escapeMrkdwn(plain || "opsbot"), SLACK_LIMITS.fallbackText),
    blocks: units.map((u) => u.block),
  };
}

function sectionUnit(escaped: string, plain: string): Unit {
  return { block: { type: "section", text: { type: "mrkdwn", text: escaped } }, plain, size: escaped.length };
}

function toUnits(block: Block, index: number, opts: typeof DEFAULTS, files: SlackFile[]): Unit[] {
  switch (block.type) {
    case "heading": {
      const text = truncate(block.text.replace(/\s+/g, " ").trim() || " ", SLACK_LIMITS.headerText);
      return [
        {
          block: { type: "header", text: { type: "plain_text", text, emoji: true } },
          plain: block.text,
          size: text.length,
        },
      ];
    }
    case "text":
      return splitEscaped(block.text, SLACK_LIMITS.sectionText)
        .filter((piece) => piece.escaped.trim() !== "")
        .map((piece) => sectionUnit(piece.escaped, piece.raw));
    case "fields":
      return chunk(block.fields, SLACK_LIMITS.fieldsPerSection).map((group) => {
        const fields = group.map((f) => ({
          type: "mrkdwn" as const,
          text: truncate(
            `*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value || " ")}`,
            SLACK_LIMITS.fieldText,
          ),
        }));
        return {
          block: { type: "section" as const, fields },
          plain: group.map((f) => `${f.label}: ${f.value}`).join("\n"),
          size: fields.reduce((n, f) => n + f.text.length, 0),
        };
      });
    case "table": {
      const { header, body } = formatTable(block.columns, block.rows);
      const plain = [...header, ...body].join("\n");
      const name = block.caption ? slug(block.caption) : `table-${index + 1}`;
      if (opts.allowFiles && plain.length > opts.fileThreshold) {
        files.push({ filename: `${name}.txt`, title: block.caption ?? "Table", content: `${plain}\n` });
        return [fileNote(block.caption ?? "Table", `${body.length} rows`, `${name}.txt`)];
      }
      const caption = block.caption ? [sectionUnit(`*${escapeMrkdwn(block.caption)}*`, block.caption)] : [];
      return [...caption, ...codeUnits(body.join("\n"), header)];
    }
    case "code": {
      if (opts.allowFiles && block.text.length > opts.fileThreshold) {
        const filename = block.filename ?? `output-${index + 1}.txt`;
        files.push({ filename, title: "Output", content: block.text });
        return [fileNote("Output", `${block.text.split("\n").length} lines`, filename)];
      }
      return codeUnits(block.text, []);
    }
    case "buttons":
      return buttonBlocks(block.buttons).map((elements) => ({
        block: { type: "actions" as const, elements },
        plain: block.buttons.map((b) => `[${b.label}]`).join(" "),
        size: elements.reduce((n, e) => n + e.text.text.length + e.value.length, 0),
      }));
    case "context":
      return chunk(splitEscaped(block.text, SLACK_LIMITS.sectionText), SLACK_LIMITS.contextElements).map(
        (pieces) => ({
          block: {
            type: "context" as const,
            elements: pieces.map((p) => ({ type: "mrkdwn" as const, text: p.escaped || " " })),
          },
          plain: pieces.map((p) => p.raw).join("\n"),
          size: pieces.reduce((n, p) => n + p.escaped.length, 0),
        }),
      );
  }
}

/** Monospace sections of at most 3,000 characters each, repeating `header` (a table's) in each. */
function codeUnits(body: string, header: string[]): Unit[] {
  const head = header.map(escapeCode);
  const headLen = head.reduce((n, l) => n + l.length + 1, 0);
  const budget = Math.max(200, SLACK_LIMITS.sectionText - FENCE_OVERHEAD - headLen);
  return splitEscaped(body, budget, escapeCode).map((piece) => {
    const text = fence([...head, piece.escaped].join("\n"));
    const plain = [...header, piece.raw].join("\n");
    return { block: { type: "section", text: { type: "mrkdwn", text } }, plain, size: text.length };
  });
}

function fileNote(what: string, extent: string, filename: string): Unit {
  const text = `_${escapeMrkdwn(what)} (${extent}) is too long for a message: attached as \`${escapeMrkdwn(filename)}\`._`;
  return sectionUnit(text, `${what} (${extent}): attached as ${filename}`);
}

/** Buttons in actions blocks of at most 25, with no action id twice in one block (Slack rejects that). */
function buttonBlocks(buttons: Button[]): SlackButton[][] {
  const blocks: SlackButton[][] = [];
  let current: SlackButton[] = [];
  for (const b of buttons) {
    if (b.value.length > SLACK_LIMITS.buttonValue) {
      throw new Error(`button ${b.actionId}: value longer than ${SLACK_LIMITS.buttonValue} characters`);
    }
    if (current.length >= SLACK_LIMITS.buttonsPerBlock || current.some((c) => c.action_id === b.actionId)) {
      blocks.push(current);
      current = [];
    }
    current.push({
      type: "button",
      action_id: b.actionId,
      text: {
        type: "plain_text",
        text: truncate(b.label || b.actionId, SLACK_LIMITS.buttonText),
        emoji: true,
      },
      value: b.value,
      ...(b.style ? { style: b.style } : {}),
    });
  }
  if (current.length > 0) blocks.push(current);
  return blocks;
}

function pack(units: Unit[], messageChars: number): Unit[][] {
  const messages: Unit[][] = [];
  let current: Unit[] = [];
  let size = 0;
  for (const u of units) {
    if (
      current.length > 0 &&
      (current.length >= SLACK_LIMITS.blocksPerMessage || size + u.size > messageChars)
    ) {
      messages.push(current);
      current = [];
      size = 0;
    }
    current.push(u);
    size += u.size;
  }
  if (current.length > 0) messages.push(current);
  return messages;
}

/**
 * Caps the number of messages. What does not fit goes into a file (or is cut, with a note, where files
 * are not allowed); buttons are never dropped: they move into the last message.
 */
function limitMessages(messages: Unit[][], opts: typeof DEFAULTS, files: SlackFile[]): Unit[][] {
  if (messages.length <= opts.maxMessages) return messages;
  const kept = messages.slice(0, opts.maxMessages - 1);
  const tail = messages.slice(opts.maxMessages - 1).flat();
  const actions = tail.filter((u) => u.block.type === "actions");
  const rest = tail.filter((u) => u.block.type !== "actions");
  const blockBudget = SLACK_LIMITS.blocksPerMessage - 1 - actions.length;
  let charBudget = opts.messageChars - 400 - actions.reduce((n, u) => n + u.size, 0);
  const last: Unit[] = [];
  let i = 0;
  for (; i < rest.length; i += 1) {
    const u = rest[i]!;
    if (last.length >= blockBudget || u.size > charBudget) break;
    last.push(u);
    charBudget -= u.size;
  }
  const overflow = rest.slice(i);
  if (overflow.length > 0) {
    const plain = overflow.map((u) => u.plain).join("\n");
    if (opts.allowFiles) {
      files.push({ filename: "reply-continued.txt", title: "Reply (continued)", content: `${plain}\n` });
      last.push(sectionUnit("_The rest of this answer is attached as `reply-continued.txt`._", ""));
    } else {
      last.push(
        sectionUnit(
          `_… ${overflow.length} more parts not shown: ask in a channel or DM for the full answer._`,
          "",
        ),
      );
    }
  }
  return [...kept, [...last, ...actions]];
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 40) || "table"
  );
}
