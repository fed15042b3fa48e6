import { join } from "node:path";
import type { ActionSpec, CommandSpec } from "../../src/chat/command.js";
import type { ChatPort, MessageRef } from "../../src/chat/port.js";
import type { Reply } from "../../src/chat/reply.js";
import { parseConfig } from "../../src/config/load.js";
import type { ChatUser } from "../../src/lib/actor.js";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { type Core, createCore } from "../../src/main.js";
import { tempDir } from "./temp.js";

/** A recording chat port: the one place tests fake (the chat transport). */
export class RecordingChat implements ChatPort {
  readonly posts: { channel: string; reply: Reply; threadTs?: string; ts: string }[] = [];
  readonly updates: { ref: MessageRef; reply: Reply }[] = [];
  readonly ephemerals: { channel: string; userId: string; reply: Reply }[] = [];
  readonly files: { channel: string; filename: string; content: string | Uint8Array; threadTs?: string }[] = [];
  private seq = 0;
  async post(channel: string, reply: Reply, options: { threadTs?: string } = {}) {
    const ts = `${++this.seq}.000`;
    this.posts.push({ channel, reply, ts, ...(options.threadTs ? { threadTs: options.threadTs } : {}) });
    return { channel, ts };
  }
  async update(ref: MessageRef, reply: Reply) {
    this.updates.push({ ref, reply });
  }
  async postEphemeral(channel: string, userId: string, reply: Reply) {
    this.ephemerals.push({ channel, userId, reply });
  }
  async uploadFile(channel: string, file: { filename: string; content: string | Uint8Array; threadTs?: string }) {
    this.files.push({
      channel,
      filename: file.filename,
      content: file.content,
      ...(file.threadTs ? { threadTs: file.threadTs } : {}),
    });
  }
}

export interface TestCore extends Core {
  chat: RecordingChat;
  clock: ManualClock;
  dir: string;
  user(name: string): ChatUser;
  ask(text: string, as?: string): ReturnType<Core["router"]["handle"]>;
  cleanup(): void;
}

/** A real core (real SQLite file, real router) with a recording chat port and a manual clock. */
export function testCore(
  yaml = "",
  options: { commands?: CommandSpec[]; actions?: ActionSpec[]; env?: NodeJS.ProcessEnv } = {},
): TestCore {
  const dir = tempDir();
  const config = parseConfig(yaml || "{}", "test.yaml", options.env ?? {});
  const chat = new RecordingChat();
  const clock = new ManualClock();
  const core = createCore({
    config,
    dbPath: join(dir.path, "opsbot.db"),
    logger: silentLogger(),
    chat,
    clock,
    ...(options.commands ? { commands: options.commands } : {}),
    ...(options.actions ? { actions: options.actions } : {}),
  });
  const user = (name: string): ChatUser => ({
    id: name,
    name,
    roles: Object.entries(config.roles)
      .filter(([, m]) => m.includes(name))
      .map(([r]) => r),
  });
  return {
    ...core,
    chat,
    clock,
    dir: dir.path,
    user,
    ask: (text, as = "alice") =>
      core.router.handle(text, { user: user(as), channel: "test", transport: "console" }),
    cleanup: () => {
      core.close();
      dir.cleanup();
    },
  };
}
