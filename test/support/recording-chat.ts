import type { ChatPort, MessageRef } from "../../src/chat/port.js";
import { type Reply, replyToPlainText } from "../../src/chat/reply.js";

/**
 * The recording chat port: the one fake the project allows besides the clock (the chat transport).
 * Every test that needs a chat port without Slack uses this one.
 */
export class RecordingChat implements ChatPort {
  /** Each post with its plain-text rendering, as a reader of the console would see it. */
  readonly posts: { channel: string; reply: Reply; text: string; threadTs?: string; ts: string }[] = [];
  readonly updates: { ref: MessageRef; reply: Reply }[] = [];
  readonly ephemerals: { channel: string; userId: string; reply: Reply }[] = [];
  readonly files: { channel: string; filename: string; content: string | Uint8Array; threadTs?: string }[] =
    [];
  private seq = 0;
  async post(channel: string, reply: Reply, options: { threadTs?: string } = {}) {
    const ts = `${++this.seq}.000`;
    this.posts.push({
      channel,
      reply,
      text: replyToPlainText(reply),
      ts,
      ...(options.threadTs ? { threadTs: options.threadTs } : {}),
    });
    return { channel, ts };
  }
  async update(ref: MessageRef, reply: Reply) {
    this.updates.push({ ref, reply });
  }
  async postEphemeral(channel: string, userId: string, reply: Reply) {
    this.ephemerals.push({ channel, userId, reply });
  }
  async uploadFile(
    channel: string,
    file: { filename: string; content: string | Uint8Array; threadTs?: string },
  ) {
    this.files.push({
      channel,
      filename: file.filename,
      content: file.content,
      ...(file.threadTs ? { threadTs: file.threadTs } : {}),
    });
  }
}
