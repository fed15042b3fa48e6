import { join } from "node:path";
import type { Action, Command } from "../../commands/services.js";
import { parseConfig } from "../../src/config/load.js";
import type { ChatUser } from "../../src/lib/actor.js";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { type Core, createCore } from "../../src/main.js";
import type { InventorySource } from "../../src/management/inventory/types.js";
import { RecordingChat } from "./recording-chat.js";
import { tempDir } from "./temp.js";

export { RecordingChat };

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
  options: {
    commands?: Command[];
    actions?: Action[];
    env?: NodeJS.ProcessEnv;
    inventorySources?: InventorySource[];
  } = {},
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
    ...(options.inventorySources ? { inventorySources: options.inventorySources } : {}),
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
