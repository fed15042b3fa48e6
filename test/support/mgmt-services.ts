import type { Command, Context, Services } from "../../commands/services.js";
import type { ParsedArgs } from "../../src/chat/command.js";
import { type Reply, replyToPlainText } from "../../src/chat/reply.js";
import { type Config, configSchema } from "../../src/config/schema.js";
import type { Clock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { Redactor } from "../../src/lib/redact.js";
import type { FleetQueries } from "../../src/management/fleet-query-types.js";
import { createStoreHistory } from "../../src/management/history/store-history.js";
import { createInventory } from "../../src/management/inventory/service.js";
import { noPoller, type PollerControl } from "../../src/management/poller.js";
import { createAuditRepo } from "../../src/store/audit-repo.js";
import type { Store } from "../../src/store/store.js";

/**
 * A subsystem these management tests never reach: any use fails the test loudly, naming the member.
 * (Tests that need every subsystem build a real core with test/support/core.ts instead.)
 */
function notInThisTest<T extends object>(member: string): T {
  return new Proxy({} as T, {
    get(_target, key) {
      throw new Error(`services.${member}.${String(key)} was used, but this test does not wire ${member}`);
    },
  });
}

/** Services for management command handlers: the real fleet queries and store, no other subsystem. */
export function servicesFor(opts: {
  store: Store;
  clock: Clock;
  fleet: FleetQueries;
  poller?: PollerControl;
  config?: Config;
}): Services {
  const config = opts.config ?? configSchema.parse({});
  return {
    config,
    clock: opts.clock,
    logger: silentLogger(),
    audit: createAuditRepo(opts.store),
    redactor: new Redactor(),
    commands: [],
    fleet: opts.fleet,
    // Real, over the same store: series written by a poller given this store show up here.
    history: createStoreHistory({ store: opts.store, clock: opts.clock, fleet: opts.fleet, config }).history,
    poller: opts.poller ?? noPoller,
    backups: notInThisTest("backups"),
    orchestration: notInThisTest("orchestration"),
    runReporter: notInThisTest("runReporter"),
    alerts: notInThisTest("alerts"),
    alertmanager: notInThisTest("alertmanager"),
    // The real inventory over the same store, with no sources: `fleet` asks it for their health.
    inventory: createInventory({
      config,
      sources: [],
      store: opts.store,
      clock: opts.clock,
      logger: silentLogger(),
      chat: notInThisTest("chat"),
    }),
  };
}

/** Calls a command's handler as the router would after parsing, and returns the reply as plain text. */
export async function ask(
  spec: Command,
  services: Services,
  values: ParsedArgs["values"] = {},
): Promise<{ reply: Reply; text: string }> {
  const ctx: Context = {
    user: { id: "U1", name: "alice", roles: ["oncall"] },
    channel: "console",
    where: { id: "console" },
    text: spec.name,
    services,
  };
  const reply = await spec.handler({ values, extra: {} }, ctx);
  return { reply, text: replyToPlainText(reply) };
}
