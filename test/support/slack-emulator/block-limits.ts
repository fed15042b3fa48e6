/**
 * Checks a message the way Slack does before accepting it: the Block Kit limits that opsbot's renderer
 * must respect. Returns Slack's error code and `[ERROR] … [json-pointer:…]` messages, or undefined.
 */
export const MAX_BLOCKS = 50;
export const MAX_SECTION_TEXT = 3000;
export const MAX_FIELDS = 10;
export const MAX_FIELD_TEXT = 2000;
export const MAX_HEADER_TEXT = 150;
export const MAX_CONTEXT_ELEMENTS = 10;
export const MAX_ACTION_ELEMENTS = 25;
export const MAX_BUTTON_TEXT = 75;
export const MAX_BUTTON_VALUE = 2000;
export const MAX_ACTION_ID = 255;
export const MAX_MESSAGE_TEXT = 40_000;
/** Slack answers msg_blocks_too_long past an undocumented total; the emulator uses this bound. */
export const MAX_BLOCKS_JSON = 50_000;

export interface LimitViolation {
  error: "invalid_blocks" | "msg_too_long" | "msg_blocks_too_long" | "no_text";
  messages: string[];
}

type Json = Record<string, unknown>;

export function checkMessage(text: unknown, blocks: unknown): LimitViolation | undefined {
  const hasText = typeof text === "string" && text.length > 0;
  const list = Array.isArray(blocks) ? (blocks as unknown[]) : undefined;
  if (!hasText && (list === undefined || list.length === 0)) return { error: "no_text", messages: [] };
  if (typeof text === "string" && text.length > MAX_MESSAGE_TEXT)
    return { error: "msg_too_long", messages: [] };
  if (list === undefined) return undefined;
  if (JSON.stringify(list).length > MAX_BLOCKS_JSON) return { error: "msg_blocks_too_long", messages: [] };
  const problems: string[] = [];
  const err = (pointer: string, message: string) =>
    problems.push(`[ERROR] ${message} [json-pointer:${pointer}]`);
  if (list.length > MAX_BLOCKS) err("/blocks", `no more than ${MAX_BLOCKS} items allowed`);
  for (const [i, raw] of list.entries()) {
    const p = `/blocks/${i}`;
    const b = raw as Json;
    switch (b.type) {
      case "section":
        checkSection(b, p, err);
        break;
      case "header":
        checkText(b.text, `${p}/text`, MAX_HEADER_TEXT, err, "plain_text");
        break;
      case "context": {
        const els = b.elements as Json[] | undefined;
        if (!Array.isArray(els) || els.length === 0 || els.length > MAX_CONTEXT_ELEMENTS) {
          err(`${p}/elements`, `must have between 1 and ${MAX_CONTEXT_ELEMENTS} items`);
        } else for (const [j, e] of els.entries()) checkText(e, `${p}/elements/${j}`, MAX_SECTION_TEXT, err);
        break;
      }
      case "actions": {
        const els = b.elements as Json[] | undefined;
        if (!Array.isArray(els) || els.length === 0 || els.length > MAX_ACTION_ELEMENTS) {
          err(`${p}/elements`, `must have between 1 and ${MAX_ACTION_ELEMENTS} items`);
        } else {
          // Slack wants action ids unique within their block.
          const actionIds = new Set<string>();
          for (const [j, e] of els.entries()) checkButton(e, `${p}/elements/${j}`, actionIds, err);
        }
        break;
      }
      case "divider":
      case "rich_text":
      case "image":
        break;
      default:
        err(`${p}/type`, `unsupported block type ${String(b.type)}`);
    }
  }
  return problems.length > 0 ? { error: "invalid_blocks", messages: problems } : undefined;
}

function checkSection(b: Json, p: string, err: (p: string, m: string) => void): void {
  if (b.text === undefined && b.fields === undefined) err(p, "must provide either text or fields");
  if (b.text !== undefined) checkText(b.text, `${p}/text`, MAX_SECTION_TEXT, err);
  if (b.fields !== undefined) {
    const fields = b.fields as unknown[];
    if (!Array.isArray(fields) || fields.length === 0 || fields.length > MAX_FIELDS) {
      err(`${p}/fields`, `must have between 1 and ${MAX_FIELDS} items`);
    } else for (const [j, f] of fields.entries()) checkText(f, `${p}/fields/${j}`, MAX_FIELD_TEXT, err);
  }
}

function checkText(
  t: unknown,
  p: string,
  max: number,
  err: (p: string, m: string) => void,
  only?: "plain_text",
): void {
  const obj = t as Json | undefined;
  if (!obj || (obj.type !== "mrkdwn" && obj.type !== "plain_text")) {
    err(p, "must be a text object");
    return;
  }
  if (only && obj.type !== only) {
    err(`${p}/type`, `must be ${only}`);
    return;
  }
  if (typeof obj.text !== "string" || obj.text.length === 0) {
    err(`${p}/text`, "must be a non-empty string");
    return;
  }
  if (obj.text.length > max) err(`${p}/text`, `must be less than ${max + 1} characters`);
}

function checkButton(e: Json, p: string, seen: Set<string>, err: (p: string, m: string) => void): void {
  if (e.type !== "button") {
    err(`${p}/type`, "only buttons are emulated in actions");
    return;
  }
  checkText(e.text, `${p}/text`, MAX_BUTTON_TEXT, err, "plain_text");
  const id = e.action_id;
  if (typeof id !== "string" || id.length === 0 || id.length > MAX_ACTION_ID) {
    err(`${p}/action_id`, `must be 1 to ${MAX_ACTION_ID} characters`);
  } else if (seen.has(id)) err(`${p}/action_id`, `action_id ${id} already exists in this block`);
  else seen.add(id);
  if (e.value !== undefined && (typeof e.value !== "string" || e.value.length > MAX_BUTTON_VALUE)) {
    err(`${p}/value`, `must be less than ${MAX_BUTTON_VALUE + 1} characters`);
  }
  if (e.style !== undefined && e.style !== "primary" && e.style !== "danger")
    err(`${p}/style`, "must be primary or danger");
  if (e.confirm !== undefined) {
    // Slack's confirmation dialog object: every part required, plain_text, with its own limits.
    const c = e.confirm as Json;
    checkText(c.title, `${p}/confirm/title`, 100, err, "plain_text");
    checkText(c.text, `${p}/confirm/text`, 300, err);
    checkText(c.confirm, `${p}/confirm/confirm`, 30, err, "plain_text");
    checkText(c.deny, `${p}/confirm/deny`, 30, err, "plain_text");
    if (c.style !== undefined && c.style !== "primary" && c.style !== "danger")
      err(`${p}/confirm/style`, "must be primary or danger");
  }
}
