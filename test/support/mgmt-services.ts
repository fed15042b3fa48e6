import type { CommandContext, CommandSpec, ParsedArgs, Services } from "../../src/chat/command.js";
import type { ChatPort } from "../../src/chat/port.js";
import { type Reply, replyToPlainText } from "../../src/chat/reply.js";
import { type Config, configSchema } from "../../src/config/schema.js";
import type { Clock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { Redactor } from "../../src/lib/redact.js";
import type { FleetQueries } from "../../src/management/fleet-query-types.js";
import type { PollerControl } from "../../src/management/poller.js";
import { createAuditRepo } from "../../src/store/audit-repo.js";
import type { Store } from "../../src/store/store.js";

/** A chat port that records what was posted (the one fake the project allows, with the clock). */
export function recordingChat(): ChatPort & { posts: Reply[] } {
  const posts: Reply[] = [];
  let n = 0;
  return {
    posts,
    async post(channel, reply) {
      posts.push(reply);
      n++;
      return { channel, ts: String(n) };
    },
    async update(_ref, reply) {
      posts.push(reply);
    },
    async postEphemeral(_channel, _user, reply) {
      posts.push(reply);
    },
    async uploadFile() {},
  };
}

export function servicesFor(opts: {
  store: Store;
  clock: Clock;
  fleet?: FleetQueries;
  poller?: PollerControl;
  config?: Config;
}): Services {
  return {
    config: opts.config ?? configSchema.parse({}),
    store: opts.store,
    clock: opts.clock,
    logger: silentLogger(),
    chat: recordingChat(),
    audit: createAuditRepo(opts.store),
    redactor: new Redactor(),
    commands: [],
    ...(opts.fleet ? { fleet: opts.fleet } : {}),
    ...(opts.poller ? { poller: opts.poller } : {}),
  };
}

/** Calls a command's handler as the router would after parsing, and returns the reply as plain text. */
export async function ask(
  spec: CommandSpec,
  services: Services,
  values: ParsedArgs["values"] = {},
): Promise<{ reply: Reply; text: string }> {
  const ctx: CommandContext = {
    user: { id: "U1", name: "alice", roles: ["oncall"] },
    channel: "console",
    text: spec.name,
    services,
  };
  const reply = await spec.handler({ values, extra: {} }, ctx);
  return { reply, text: replyToPlainText(reply) };
}
