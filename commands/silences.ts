import { reply, withData } from "../src/chat/reply.js";
import { amSilencesSection } from "../src/management/alertmanager/silences-answer.js";
import { silencesTable } from "../src/management/alerts/answers.js";
import { defineCommand } from "./services.js";

/**
 * opsbot's own alert silences, then — when `alertmanager:` is configured — Alertmanager's: those
 * opsbot created and, with `alertmanager.api`, those made outside it (read from Alertmanager each time).
 */
export default defineCommand({
  name: "silences",
  summary: "Active alert silences (opsbot's, and Alertmanager's when configured)",
  examples: ["silences"],
  sideEffects: false,
  async handler(_args, ctx) {
    const now = ctx.services.clock.now();
    const am = await ctx.services.alertmanager.silences();
    const own = silencesTable(ctx.services.alerts.silences(), now, am !== null);
    if (am === null) return own;
    const section = amSilencesSection(am, now);
    return withData(reply(...own.blocks, ...section.blocks), { ...own.data!, alertmanager: section.data });
  },
});
