import type { ChatAdapter } from "../adapter.js";
import type { Router } from "../router.js";
import type { SlackApp } from "./app.js";

/** Slack as a chat adapter: stop() stops receiving; flush() delivers the outbox, then closes it. */
export function slackAdapter(
  app: SlackApp,
  onStarted: (info: { botUserId: string; port?: number }) => void = () => {},
): ChatAdapter {
  let started = false;
  return {
    name: "slack",
    port: app.chat,
    async start(router: Router) {
      if (started) return;
      started = true;
      try {
        onStarted(await app.start(router));
      } catch (err) {
        started = false;
        await app.stop(0).catch(() => {});
        throw err;
      }
    },
    stop: () => app.stopReceiving(),
    flush: () => app.drain(),
  };
}
