import { type CommandContext, defineCommand } from "../src/chat/command.js";
import { OpsbotError } from "../src/lib/errors.js";
import { statusReply } from "../src/management/inventory/render.js";
import type { InventoryService } from "../src/management/inventory/service.js";

export function inventoryOf(ctx: CommandContext): InventoryService {
  const inventory = ctx.services.inventory;
  if (!inventory) throw new OpsbotError("UNAVAILABLE", "The inventory is not wired in this opsbot.");
  return inventory;
}

export default defineCommand({
  name: "inventory",
  summary: "Where devices come from: opsbot.yaml, NetBox, Ansible, and how fresh each list is",
  description:
    "Counts devices per source, when each source was last fetched and whether its last refresh failed " +
    "(a failing source keeps its last good list).",
  examples: ["inventory"],
  sideEffects: false,
  handler(_args, ctx) {
    const inventory = inventoryOf(ctx);
    return statusReply(
      inventory.sources(),
      inventory.current(),
      inventory.health(),
      ctx.services.clock.now(),
    );
  },
});
