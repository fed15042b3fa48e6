import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Real-shaped Slack payloads from test/fixtures/slack/, with the fields a test cares about replaced.
 * Every builder returns a fresh object with new ids, so two deliveries never look like one retry.
 */
const FIXTURES = findFixtures(dirname(fileURLToPath(import.meta.url)));

/** test/fixtures/slack, found from here both in the sources and when compiled into dist/ (benchmarks). */
function findFixtures(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, "test", "fixtures", "slack");
    if (existsSync(join(dir, "package.json")) && existsSync(candidate)) return candidate;
  }
  return join(from, "..", "..", "fixtures", "slack");
}

type Json = Record<string, unknown>;

function load(name: string): Json {
  return JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as Json;
}

let seq = 0;
const nextSeq = () => {
  seq += 1;
  return seq;
};
const tsNow = () => `${Math.floor(Date.now() / 1000)}.${String(nextSeq()).padStart(6, "0")}`;

export interface SlashCommandOptions {
  text: string;
  user?: string;
  userName?: string;
  channel?: string;
  channelName?: string;
  /** Where the app answers; the emulator's own response URL. */
  responseUrl: string;
}

export function slashCommand(o: SlashCommandOptions): Json {
  const p = load("slash-command.json");
  const n = nextSeq();
  return {
    ...p,
    text: o.text,
    user_id: o.user ?? p.user_id,
    user_name: o.userName ?? p.user_name,
    channel_id: o.channel ?? p.channel_id,
    channel_name: o.channelName ?? p.channel_name,
    response_url: o.responseUrl,
    trigger_id: `${13345224609 + n}.738474920.${n.toString(16).padStart(20, "0")}`,
  };
}

export interface MessageEventOptions {
  text: string;
  user?: string;
  channel?: string;
  threadTs?: string;
  eventId?: string;
}

function eventCallback(fixture: string, o: MessageEventOptions): Json {
  const p = load(fixture);
  const event = p.event as Json;
  const ts = tsNow();
  return {
    ...p,
    event_id: o.eventId ?? `Ev${String(nextSeq()).padStart(10, "0")}`,
    event_time: Math.floor(Date.now() / 1000),
    event: {
      ...event,
      text: o.text,
      user: o.user ?? event.user,
      channel: o.channel ?? event.channel,
      ts,
      event_ts: ts,
      ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
    },
  };
}

/** `@opsbot <text>` in a channel; `text` should include the mention, e.g. `<@U0OPSBOT1> help`. */
export const appMention = (o: MessageEventOptions): Json => eventCallback("app-mention.json", o);

/** A direct message to the bot. */
export const directMessage = (o: MessageEventOptions): Json => eventCallback("message-im.json", o);

/** A message the bot itself posted, echoed back as an event (as Slack does). */
export const botOwnMessage = (o: MessageEventOptions): Json => eventCallback("message-from-bot.json", o);

export interface BlockActionOptions {
  actionId: string;
  value: string;
  user?: string;
  channel?: string;
  messageTs?: string;
  threadTs?: string;
  responseUrl: string;
}

export function blockAction(o: BlockActionOptions): Json {
  const p = load("block-actions.json");
  const action = (p.actions as Json[])[0]!;
  const message = p.message as Json;
  const container = p.container as Json;
  const user = p.user as Json;
  const messageTs = o.messageTs ?? (container.message_ts as string);
  const channel = o.channel ?? (container.channel_id as string);
  return {
    ...p,
    user: { ...user, id: o.user ?? user.id },
    container: { ...container, message_ts: messageTs, channel_id: channel },
    channel: { ...(p.channel as Json), id: channel },
    message: { ...message, ts: messageTs, ...(o.threadTs ? { thread_ts: o.threadTs } : {}) },
    response_url: o.responseUrl,
    trigger_id: `${13345224609 + nextSeq()}.738474920.ff`,
    actions: [{ ...action, action_id: o.actionId, value: o.value, action_ts: tsNow() }],
  };
}
