import { checkMessage } from "./block-limits.js";
import { APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID, type Workspace } from "./workspace.js";

/** Everything a Web API method handler may use. */
export interface MethodContext {
  workspace: Workspace;
  args: Record<string, unknown>;
  now: number;
  /** http://127.0.0.1:port — for upload URLs and the Socket Mode URL. */
  baseUrl: string;
  /** Issues a one-time Socket Mode ticket. */
  issueTicket(): string;
}

export type MethodResult = Record<string, unknown> & { ok: boolean };
export type MethodHandler = (ctx: MethodContext) => MethodResult;

/** Which token a method wants: the bot token (xoxb) or the app-level token (xapp). */
export const APP_TOKEN_METHODS = new Set(["apps.connections.open"]);

const fail = (error: string, extra: Record<string, unknown> = {}): MethodResult => ({
  ok: false,
  error,
  ...extra,
});

/** Slack's form encoding sends arrays and objects as JSON strings; accept both. */
export function jsonArg(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);

function postMessage({ workspace, args, now }: MethodContext, via: string, visibleTo?: string): MethodResult {
  const channel = workspace.resolveChannel(str(args.channel) ?? "");
  if (!channel) return fail("channel_not_found");
  const blocks = jsonArg(args.blocks);
  const violation = checkMessage(args.text, blocks);
  if (violation) return fail(violation.error, { response_metadata: { messages: violation.messages } });
  const ts = workspace.nextTs(now);
  const threadTs = str(args.thread_ts);
  workspace.messages.push({
    channel: channel.id,
    ts,
    text: str(args.text) ?? "",
    blocks: Array.isArray(blocks) ? blocks : [],
    ...(threadTs ? { threadTs } : {}),
    ...(visibleTo ? { visibleTo } : {}),
    via,
    updates: 0,
    postedAt: now,
  });
  return {
    ok: true,
    channel: channel.id,
    ts,
    message: {
      type: "message",
      text: str(args.text) ?? "",
      user: BOT_USER_ID,
      bot_id: BOT_ID,
      app_id: APP_ID,
      team: TEAM_ID,
      ts,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      blocks: Array.isArray(blocks) ? blocks : [],
    },
  };
}

function userObject(workspace: Workspace, id: string): Record<string, unknown> | undefined {
  const u = workspace.users.get(id);
  if (!u) return undefined;
  return {
    id: u.id,
    team_id: TEAM_ID,
    name: u.name,
    deleted: false,
    real_name: u.realName,
    tz: "Europe/Amsterdam",
    is_bot: u.isBot ?? false,
    is_admin: false,
    profile: { real_name: u.realName, display_name: u.name, display_name_normalized: u.name, team: TEAM_ID },
  };
}

export const METHODS: Record<string, MethodHandler> = {
  "api.test": ({ args }) => ({ ok: true, args }),
  "auth.test": ({ baseUrl }) => ({
    ok: true,
    url: `${baseUrl}/`,
    team: "opsbot emulator",
    user: "opsbot",
    team_id: TEAM_ID,
    user_id: BOT_USER_ID,
    bot_id: BOT_ID,
    is_enterprise_install: false,
  }),
  "apps.connections.open": ({ baseUrl, issueTicket }) => ({
    ok: true,
    url: `${baseUrl.replace(/^http/, "ws")}/socket?ticket=${issueTicket()}&app_id=${APP_ID}`,
  }),
  "chat.postMessage": (ctx) => postMessage(ctx, "chat.postMessage"),
  "chat.postEphemeral": (ctx) => {
    const user = str(ctx.args.user);
    if (!user || !ctx.workspace.users.has(user)) return fail("user_not_found");
    const r = postMessage(ctx, "chat.postEphemeral", user);
    return r.ok ? { ok: true, message_ts: r.ts } : r;
  },
  "chat.update": ({ workspace, args, now }) => {
    const channel = workspace.resolveChannel(str(args.channel) ?? "");
    if (!channel) return fail("channel_not_found");
    const msg = workspace.messages.find((m) => m.channel === channel.id && m.ts === args.ts && !m.visibleTo);
    if (!msg) return fail("message_not_found");
    const blocks = jsonArg(args.blocks);
    const violation = checkMessage(args.text, blocks);
    if (violation) return fail(violation.error, { response_metadata: { messages: violation.messages } });
    msg.text = str(args.text) ?? "";
    msg.blocks = Array.isArray(blocks) ? blocks : [];
    msg.updates += 1;
    msg.postedAt = now;
    return {
      ok: true,
      channel: channel.id,
      ts: msg.ts,
      text: msg.text,
      message: { text: msg.text, blocks: msg.blocks },
    };
  },
  "users.info": ({ workspace, args }) => {
    const user = userObject(workspace, str(args.user) ?? "");
    return user ? { ok: true, user } : fail("user_not_found");
  },
  "usergroups.users.list": ({ workspace, args }) => {
    const members = workspace.usergroups.get(str(args.usergroup) ?? "");
    return members ? { ok: true, users: [...members] } : fail("no_such_subteam");
  },
  "conversations.info": ({ workspace, args }) => {
    const c = workspace.resolveChannel(str(args.channel) ?? "");
    if (!c) return fail("channel_not_found");
    return {
      ok: true,
      channel: {
        id: c.id,
        name: c.name,
        is_channel: c.kind === "channel",
        is_group: false,
        is_im: c.kind === "im",
        is_private: c.kind !== "channel",
        is_member: true,
        ...(c.user ? { user: c.user } : {}),
        context_team_id: TEAM_ID,
      },
    };
  },
  "conversations.open": ({ workspace, args }) => {
    const users = (str(args.users) ?? "").split(",").filter(Boolean);
    if (users.length !== 1) return fail(users.length === 0 ? "users_list_not_supplied" : "not_implemented");
    const im = workspace.openIm(users[0]!);
    return im ? { ok: true, channel: { id: im.id } } : fail("user_not_found");
  },
  "files.getUploadURLExternal": ({ workspace, args, baseUrl }) => {
    const filename = str(args.filename);
    const length = Number(args.length);
    if (!filename)
      return fail("invalid_arguments", { response_metadata: { messages: ["[ERROR] missing filename"] } });
    if (!Number.isInteger(length) || length <= 0) return fail("invalid_arguments");
    const id = workspace.nextId("F");
    workspace.files.set(id, { id, filename, content: "", length, completed: false });
    return { ok: true, upload_url: `${baseUrl}/upload/${id}`, file_id: id };
  },
  "files.completeUploadExternal": ({ workspace, args }) => {
    const files = jsonArg(args.files) as { id: string; title?: string }[] | undefined;
    if (!Array.isArray(files) || files.length === 0) return fail("invalid_arguments");
    const channelId = str(args.channel_id);
    if (channelId && !workspace.channels.has(channelId)) return fail("channel_not_found");
    const done = [];
    for (const f of files) {
      const file = workspace.files.get(f.id);
      if (!file) return fail("file_not_found");
      // Slack rejects a completion whose upload never arrived or does not match the announced length.
      if (!file.bytes || (file.length !== undefined && file.bytes.length !== file.length))
        return fail("file_upload_size_mismatch");
      file.completed = true;
      if (f.title) file.title = f.title;
      if (channelId) file.channel = channelId;
      const threadTs = str(args.thread_ts);
      if (threadTs) file.threadTs = threadTs;
      done.push({
        id: file.id,
        name: file.filename,
        title: file.title ?? file.filename,
        size: file.content.length,
      });
    }
    return { ok: true, files: done };
  },
};
