import { refreshReply } from "../src/management/inventory/render.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "inventory refresh",
  summary: "Fetch devices from NetBox and Ansible now and apply the changes",
  description:
    "Fetches every configured source, keeps each list that arrived, and applies the merged device list " +
    "(the YAML wins over a source for the same name). Added and removed devices are also reported in the " +
    "admin channel. A source that fails keeps its last good list.",
  examples: ["inventory refresh"],
  sideEffects: true,
  role: "oncall",
  async handler(_args, ctx) {
    const inventory = ctx.services.inventory;
    if (!inventory.hasSources) {
      return refreshReply(
        { sources: [], change: { added: [], removed: [], changed: [] } },
        "Inventory refresh",
        "No inventory sources are configured (inventory.netbox or inventory.ansible): devices come from opsbot.yaml only.",
      );
    }
    return refreshReply(
      await inventory.refresh(),
      "Inventory refreshed",
      "No devices added, removed or changed.",
    );
  },
});
