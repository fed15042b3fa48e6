import { errorReply, type Reply } from "../src/chat/reply.js";
import { OpsbotError } from "../src/lib/errors.js";
import type { ClickContext } from "./services.js";

/**
 * A click on an alert message that could not do its job (already acked, Alertmanager down, a refused
 * run request…) is told to the clicker alone, like its confirmation would have been — not posted in
 * the alert's thread for everyone. Anything unexpected still reaches the router's boundary.
 */
export async function toClicker(ctx: ClickContext, work: () => Promise<Reply>): Promise<Reply> {
  let r: Reply;
  try {
    r = await work();
  } catch (err) {
    if (!(err instanceof OpsbotError) || err.code === "INTERNAL") throw err;
    const redact = (t: string) => ctx.services.redactor.redact(t);
    return { ...errorReply(redact(err.message), err.details.map(redact), err.code), ephemeral: true };
  }
  return r.isError ? { ...r, ephemeral: true } : r;
}
