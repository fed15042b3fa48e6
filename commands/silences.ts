import { silencesTable } from "../src/management/alerts/answers.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "silences",
  summary: "Active alert silences",
  examples: ["silences"],
  sideEffects: false,
  handler(_args, ctx) {
    return silencesTable(ctx.services.alerts.silences(), ctx.services.clock.now());
  },
});
