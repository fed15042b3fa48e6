import type { ChatPort, MessageRef } from "../../src/chat/port.js";
import { type Reply, replyToPlainText } from "../../src/chat/reply.js";

/** A ChatPort that records what it was asked to do (the chat port is where fakes are allowed). */
export function createRecordingChat() {
  const posts: { channel: string; text: string; threadTs?: string; reply: Reply }[] = [];
  let ts = 0;
  const chat: ChatPort = {
    async post(channel, reply, options): Promise<MessageRef> {
      posts.push({
        channel,
        text: replyToPlainText(reply),
        reply,
        ...(options?.threadTs ? { threadTs: options.threadTs } : {}),
      });
      ts++;
      return { channel, ts: String(ts) };
    },
    async update() {},
    async postEphemeral() {},
    async uploadFile() {},
  };
  return { chat, posts };
}
