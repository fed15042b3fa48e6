import { statusReply } from "../src/management/inventory/render.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "inventory",
  summary: "Where devices come from: opsbot.yaml, NetBox, Ansible, and how fresh each list is",
  description:
    "Counts devices per source, when each source was last fetched and whether its last refresh failed " +
    "(a failing source keeps its last good list).",
  examples: ["inventory"],
  sideEffects: false,
  uses: [],
  handler(_args, ctx) {
    const inventory = ctx.services.inventory;
    return statusReply(
      inventory.sources(),
      inventory.current(),
      inventory.health(),
      ctx.services.clock.now(),
    );
  },
});
