import type { ChatPort } from "../chat/port.js";
import type { OpsMetrics } from "../lib/ops/metrics.js";

/** The chat port, counting posts and updates (and their failures) into opsbot_alert_deliveries_total. */
export function countingChat(chat: ChatPort, counter: OpsMetrics["alertDeliveries"]): ChatPort {
  const count = async <T>(outcome: string, p: Promise<T>): Promise<T> => {
    try {
      const v = await p;
      counter.inc({ outcome });
      return v;
    } catch (err) {
      counter.inc({ outcome: "failed" });
      throw err;
    }
  };
  return {
    post: (channel, reply, options) => count("posted", chat.post(channel, reply, options)),
    update: (ref, reply) => count("updated", chat.update(ref, reply)),
    postEphemeral: (channel, user, reply) => chat.postEphemeral(channel, user, reply),
    uploadFile: (channel, file) => chat.uploadFile(channel, file),
  };
}
