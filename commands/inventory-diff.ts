import { refreshReply } from "../src/management/inventory/render.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "inventory diff",
  summary: "What the next inventory refresh would add, remove or change (nothing is applied)",
  examples: ["inventory diff"],
  sideEffects: false,
  uses: [],
  async handler(_args, ctx) {
    const inventory = ctx.services.inventory;
    if (!inventory.hasSources) {
      return refreshReply(
        { sources: [], change: { added: [], removed: [], changed: [] } },
        "Inventory diff",
        "No inventory sources are configured (inventory.netbox or inventory.ansible): nothing to compare.",
      );
    }
    return refreshReply(
      await inventory.diff(),
      "Inventory diff: what a refresh would change",
      "A refresh now would change nothing.",
    );
  },
});
