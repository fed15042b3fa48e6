import type { Reply } from "./reply.js";

/** Where a message landed, so it can be updated or threaded under later. */
export interface MessageRef {
  channel: string;
  /** Transport message id (Slack `ts`; a counter in the console). */
  ts: string;
}

/**
 * The chat port: what the rest of opsbot may do to a chat transport, outside of answering a command.
 * Slack (through its rate-limited outbox) and the console implement it; tests use a recording fake.
 */
export interface ChatPort {
  post(channel: string, reply: Reply, options?: { threadTs?: string }): Promise<MessageRef>;
  /** Replace a posted message's content. Adapters may coalesce updates; the latest content wins. */
  update(ref: MessageRef, reply: Reply): Promise<void>;
  postEphemeral(channel: string, userId: string, reply: Reply): Promise<void>;
  uploadFile(
    channel: string,
    file: { filename: string; content: string | Uint8Array; title?: string; threadTs?: string },
  ): Promise<void>;
  /**
   * Members (user ids) of a chat user group, where the transport has groups (Slack `S…`); undefined
   * when the group cannot be resolved. Used to tell whether anyone can approve a request.
   */
  groupMembers?(groupId: string): Promise<string[] | undefined>;
}
