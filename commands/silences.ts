import { defineCommand } from "../src/chat/command.js";
import { alertsOf, silencesTable } from "../src/management/alerts/answers.js";

export default defineCommand({
  name: "silences",
  summary: "Active alert silences",
  examples: ["silences"],
  sideEffects: false,
  handler(_args, ctx) {
    return silencesTable(alertsOf(ctx.services).silences(), ctx.services.clock.now());
  },
});
