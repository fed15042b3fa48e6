import type { ChatAdapter } from "../adapter.js";
import type { Router } from "../router.js";
import type { ConsoleChat } from "./console-chat.js";

/**
 * The console as a chat adapter: reads commands from `input` (a terminal or a pipe) until `quit` or
 * end of input, which resolves `ended`. `interactive: false` keeps the adapter output-only
 * (`opsbot ask` and `poll` print what the core posts, and read nothing).
 */
export function consoleAdapter(
  chat: ConsoleChat,
  io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream; prompt: boolean } | undefined,
): ChatAdapter {
  let loop: Promise<void> | undefined;
  let end: () => void = () => {};
  const ended = new Promise<void>((resolve) => {
    end = resolve;
  });
  return {
    name: "console",
    port: chat,
    ended,
    async start(router: Router) {
      chat.attach(router);
      if (!io || loop) return;
      loop = chat.runInteractive(io.input, io.output, io.prompt).finally(end);
    },
    async stop() {
      chat.stopInteractive();
      // The line being handled finishes (its reply printed) before the subsystems stop.
      await loop?.catch(() => {});
    },
    async flush() {},
  };
}
