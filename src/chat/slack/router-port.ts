import type { ChatUser } from "../command.js";
import type { Reply } from "../reply.js";

/**
 * What the Slack adapter needs from the command router (src/chat/router.ts): the same two entry points
 * the console uses. Declared here so the adapter depends on the shape, not the implementation.
 */
export interface MessageContext {
  user: ChatUser;
  channel: string;
  threadTs?: string;
  transport: "slack";
}

export interface ClickContext {
  user: ChatUser;
  channel: string;
  /** The message that carried the button. */
  message?: { channel: string; ts: string; threadTs?: string };
  transport: "slack";
}

export interface SlackRouter {
  handle(text: string, ctx: MessageContext): Promise<Reply>;
  dispatchAction(actionId: string, value: string, ctx: ClickContext): Promise<Reply | undefined>;
}
