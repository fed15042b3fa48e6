import { errorReply, text } from "../src/chat/reply.js";
import { PARAMS_ACTION, paramsForm, parseSeed } from "../src/orchestration/presenters/params-form.js";
import { protectSecrets } from "./orchestration-common.js";
import { defineAction } from "./services.js";

/**
 * "Fill in parameters": opens the runbook's parameter form where the transport has forms (Slack modal);
 * its submission requests the run exactly as `run <runbook> k=v…` would, as the submitting user.
 */
export const paramsAction = defineAction({
  actionId: PARAMS_ACTION.open,
  async handler(value, ctx) {
    const seed = parseSeed(value);
    const o = ctx.services.orchestration;
    const version = seed && o?.runbook(seed.runbook);
    if (!seed || !version)
      return { ...errorReply("That runbook is no longer loaded; `runbooks` lists them."), ephemeral: true };
    if (!ctx.openForm) {
      const names = Object.keys(version.runbook.params).map((n) => `${n}=…`);
      return {
        blocks: [text(`Give the parameters as key=value: \`run ${version.name} ${names.join(" ")}\``)],
        ephemeral: true,
      };
    }
    await ctx.openForm(
      paramsForm(
        version,
        value,
        ctx.services.config.devices.map((d) => d.name),
      ),
    );
    return undefined;
  },
});

export const paramsSubmitAction = defineAction({
  actionId: PARAMS_ACTION.submit,
  async handler(value, ctx) {
    const o = ctx.services.orchestration;
    let parsed: { metadata?: string; values?: Record<string, string> } = {};
    try {
      parsed = JSON.parse(value) as typeof parsed;
    } catch {
      // handled below: not a submission of ours
    }
    const seed = parseSeed(parsed.metadata ?? "");
    if (!o || !seed) return { ...errorReply("That form is not a run request."), ephemeral: true };
    const params = { ...seed.given, ...(parsed.values ?? {}) };
    // Secrets typed into the form must be known to the redactor before the audit row is written.
    protectSecrets({ ...ctx, text: "", services: ctx.services }, seed.runbook, params);
    const r = o.request({ runbook: seed.runbook, params, user: ctx.user, channel: ctx.channel });
    await ctx.services.runReporter.parentOf(r.run.id);
    return {
      blocks: [
        text(
          r.approvalId !== undefined
            ? `Run ${r.run.id} of ${seed.runbook} requested: it waits for approval (see the request message).`
            : `Run ${r.run.id} of ${seed.runbook} started: progress is in the run's thread.`,
        ),
      ],
      ephemeral: true,
    };
  },
});
