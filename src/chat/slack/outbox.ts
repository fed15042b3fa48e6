import type { Logger } from "../../lib/logger.js";
import type { StoreHealth } from "../../store/faults.js";
import type { ChatPort, MessageRef } from "../port.js";
import type { Reply } from "../reply.js";
import { type RenderedReply, renderReply, type SlackMessage } from "./block-kit.js";
import type { MemoryBound } from "./outbox-memory.js";
import type { DurableCall, OutboxSpill } from "./outbox-spill.js";
import { type QueueStats, SendQueue, type Timers } from "./send-queue.js";
import { type SlackApi, SlackCallError, type SlackResult } from "./slack-api.js";

/**
 * The outbox: the only way opsbot talks to Slack. Implements the chat port on top of the send queue, so
 * every message respects Slack's limits (about one write per second per channel, 429 Retry-After,
 * coalesced updates) and is retried until delivered. Replies are rendered to Block Kit here.
 */
export interface Outbox extends ChatPort {
  /** Any Web API call. With `channel` it is a write, queued in that channel's order and retried until done. */
  call(method: string, args: Record<string, unknown>, options?: { channel?: string }): Promise<SlackResult>;
  /** Answers through a response_url (slash commands, button clicks): in the channel or only to the user. */
  respond(responseUrl: string, channel: string, reply: Reply): Promise<void>;
  /** Resolves when everything queued has been delivered (or has failed for good). */
  idle(): Promise<void>;
  close(): void;
  /**
   * Gives the outbox its spill (a store table) for writes beyond the memory bound, and queues what the
   * last process saved there first. Returns how many saved writes were restored.
   */
  attachSpill(spill: OutboxSpill, health?: StoreHealth): number;
  /** At shutdown: saves everything still queued to the spill, then closes. */
  spillAll(): { saved: number; lost: number };
  readonly stats: QueueStats;
  readonly pending: number;
  /** Writes whose content is in memory now, and their bytes (bounded by `memory`). */
  readonly memory: { messages: number; bytes: number; spilled: number; bound: MemoryBound };
}

export interface OutboxOptions {
  api: SlackApi;
  timers?: Timers;
  logger?: Logger;
  /** Minimum ms between writes to one channel. Default 1000 (Slack: ~1 message/s/channel). */
  channelIntervalMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Attempts for reads (users.info, …) before the caller gets the error. Writes never give up. */
  readAttempts?: number;
  /** How much may wait in memory before writes spill to the store (outbox-memory.ts). */
  memory?: Partial<MemoryBound>;
}

const NO_UNFURL = { unfurl_links: false, unfurl_media: false };

export function createOutbox(options: OutboxOptions): Outbox {
  const { api } = options;
  const queue = new SendQueue({
    ...(options.timers ? { timers: options.timers } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    intervalMs: options.channelIntervalMs ?? 1000,
    ...(options.backoffBaseMs !== undefined ? { backoffBaseMs: options.backoffBaseMs } : {}),
    ...(options.backoffMaxMs !== undefined ? { backoffMaxMs: options.backoffMaxMs } : {}),
    ...(options.memory ? { memory: options.memory } : {}),
    replay: (call) => replay(call),
  });
  const readAttempts = options.readAttempts ?? 4;

  const replay = (call: DurableCall): Promise<unknown> =>
    call.kind === "api"
      ? api.call(call.method, call.args)
      : api.postToUrl(call.label, call.url, call.body, call.contentType);

  const write = (
    channel: string,
    method: string,
    args: Record<string, unknown>,
    coalesceKey?: string,
    priority?: boolean,
  ) => {
    const durable: DurableCall = { kind: "api", method, args };
    return queue.enqueue({
      lane: channel,
      method,
      spaced: true,
      ...(coalesceKey ? { coalesceKey } : {}),
      ...(priority ? { priority } : {}),
      run: () => api.call(method, args),
      durable,
      bytes: sizeOf(durable),
      // What a channel shows at top level (alerts, requests, a run's live message) is kept longest;
      // thread replies (run output) and ephemeral answers go first when memory must give way.
      critical: method === "chat.update" || (method === "chat.postMessage" && !args.thread_ts),
    }) as Promise<SlackResult>;
  };

  /** An answer through a response_url, as data (it can wait in the spill like any write). */
  const urlPost = (channel: string, url: string, payload: Record<string, unknown>) => {
    const durable: DurableCall = {
      kind: "url",
      label: "response_url",
      url,
      body: JSON.stringify(payload),
      contentType: "application/json",
    };
    return queue.enqueue({
      lane: channel,
      method: "response_url",
      spaced: true,
      run: () => replay(durable),
      durable,
      bytes: sizeOf(durable),
    });
  };

  const messageArgs = (m: SlackMessage) => ({ text: m.text, blocks: m.blocks });

  async function uploadFile(
    channel: string,
    file: { filename: string; content: string | Uint8Array; title?: string; threadTs?: string },
  ): Promise<void> {
    const text = typeof file.content === "string";
    // One job in the channel's lane for the whole three-step upload, so the file lands in order with the
    // messages around it. Steps that succeeded are not repeated when a later step is retried.
    let upload: { url: string; id: string } | undefined;
    let uploaded = false;
    await queue.enqueue({
      lane: channel,
      method: "files.completeUploadExternal",
      spaced: true,
      // Memory only (no durable form): bounded by the hard bound, and lost (counted) at shutdown.
      bytes: typeof file.content === "string" ? Buffer.byteLength(file.content) : file.content.length,
      run: async () => {
        if (!upload) {
          const r = await api.call("files.getUploadURLExternal", {
            filename: file.filename,
            length: text ? Buffer.byteLength(file.content as string, "utf8") : file.content.length,
          });
          upload = { url: String(r.upload_url), id: String(r.file_id) };
        }
        if (!uploaded) {
          const type = text ? "text/plain; charset=utf-8" : "application/octet-stream";
          await api.postToUrl("files.upload", upload.url, file.content, type);
          uploaded = true;
        }
        return api.call("files.completeUploadExternal", {
          files: [{ id: upload.id, title: file.title ?? file.filename }],
          channel_id: channel,
          ...(file.threadTs ? { thread_ts: file.threadTs } : {}),
        });
      },
    });
  }

  /**
   * Not async on purpose, like update/postEphemeral/respond: while a caller waits (Slack down), only
   * the promises are kept here, so a message spilled to the store is not also held in this frame.
   */
  function postRendered(channel: string, rendered: RenderedReply, threadTs?: string): Promise<MessageRef> {
    const thread = threadTs ? { thread_ts: threadTs } : {};
    const posts = Promise.all(
      rendered.messages.map((m) =>
        write(channel, "chat.postMessage", { channel, ...messageArgs(m), ...thread, ...NO_UNFURL }),
      ),
    );
    const uploads = Promise.all(
      rendered.files.map((f) => uploadFile(channel, { ...f, ...(threadTs ? { threadTs } : {}) })),
    );
    return posts.then(async (results) => {
      await uploads;
      const first = results[0]!;
      return { channel: String(first.channel ?? channel), ts: String(first.ts) };
    });
  }

  return {
    get stats() {
      return queue.stats;
    },
    get pending() {
      return queue.pending;
    },
    get memory() {
      return { ...queue.memory.snapshot(), spilled: queue.spilledNow, bound: queue.memory.bound };
    },
    attachSpill: (spill, health) => queue.attachSpill(spill, health),
    spillAll: () => queue.spillAll((options.timers ?? { now: Date.now }).now()),
    call(method, args, callOptions = {}) {
      if (callOptions.channel) return write(callOptions.channel, method, args);
      return queue.enqueue({
        method,
        spaced: false,
        maxAttempts: readAttempts,
        run: () => api.call(method, args),
      });
    },
    post: (channel, reply, postOptions = {}) =>
      settle(() => postRendered(channel, renderReply(reply), postOptions.threadTs)),
    update: (ref, reply) =>
      settle(() => {
        // An update replaces one message: no files, no continuation messages.
        const [message] = renderReply(reply, { allowFiles: false, maxMessages: 1 }).messages;
        return write(
          ref.channel,
          "chat.update",
          { channel: ref.channel, ts: ref.ts, ...messageArgs(message!) },
          `update:${ref.channel}:${ref.ts}`,
          true,
        ).then(() => undefined);
      }),
    postEphemeral: (channel, userId, reply) =>
      settle(() => {
        const { messages } = renderReply(reply, { allowFiles: false });
        return Promise.all(
          messages.map((m) =>
            write(channel, "chat.postEphemeral", { channel, user: userId, ...messageArgs(m) }),
          ),
        ).then(() => undefined);
      }),
    uploadFile,
    respond: (responseUrl, channel, reply) =>
      settle(() => {
        const ephemeral = reply.ephemeral === true;
        const rendered = renderReply(reply, { allowFiles: !ephemeral });
        const responseType = ephemeral ? "ephemeral" : "in_channel";
        const sends = Promise.all(
          rendered.messages.map((m) =>
            urlPost(channel, responseUrl, {
              response_type: responseType,
              replace_original: false,
              ...messageArgs(m),
            }),
          ),
        );
        const files = rendered.files;
        return sends.then(() => attachToResponse(responseUrl, channel, files));
      }),
    idle: () => queue.idle(),
    close: () => queue.close(),
  };

  /**
   * A slash command works in channels opsbot is not in, but a file upload does not: say so, only to
   * the asker, instead of failing the whole answer.
   */
  async function attachToResponse(
    responseUrl: string,
    channel: string,
    files: RenderedReply["files"],
  ): Promise<void> {
    await Promise.all(
      files.map((f) =>
        uploadFile(channel, f).catch((err: unknown) => {
          const code =
            err instanceof SlackCallError && err.failure.kind === "permanent"
              ? err.failure.code
              : String(err);
          options.logger?.warn(
            { channel, file: f.filename, err: String(err) },
            "could not attach a file to a reply",
          );
          const note = `I could not attach \`${f.filename}\` here (Slack said ${code}). Invite @opsbot to this channel, or ask me in a direct message.`;
          return urlPost(channel, responseUrl, {
            response_type: "ephemeral",
            replace_original: false,
            text: note,
          });
        }),
      ),
    );
  }
}

/** Runs `fn`, turning a synchronous throw (a reply that cannot be rendered) into a rejection. */
function settle<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (err) {
    return Promise.reject(err);
  }
}

/** Bytes a write holds in memory: its serialized form (what the spill would store). */
function sizeOf(call: DurableCall): number {
  return Buffer.byteLength(JSON.stringify(call), "utf8");
}
