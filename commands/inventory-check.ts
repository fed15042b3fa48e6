import { checkReply } from "../src/management/inventory/render.js";
import { defineCommand } from "./services.js";

/** Rows shown in chat; `opsbot inventory check` in a terminal shows every device. */
const CHAT_ROWS = 100;

export default defineCommand({
  name: "inventory check",
  summary:
    "Each device's SNMP/SSH/backup settings: which profile gave them, and which devices cannot be polled",
  args: [
    { name: "all", type: "bool", kind: "flag", description: "List every device (default: the first 100)" },
  ],
  examples: ["inventory check", "inventory check --all"],
  sideEffects: false,
  uses: [],
  handler(args, ctx) {
    const inventory = ctx.services.inventory;
    return checkReply(
      inventory.current(),
      inventory.sources(),
      args.values.all === true ? Number.POSITIVE_INFINITY : CHAT_ROWS,
    );
  },
});
