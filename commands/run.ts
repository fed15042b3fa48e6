import { buttons, context, errorReply, text } from "../src/chat/reply.js";
import { formatDuration } from "../src/lib/clock.js";
import { renderPlan } from "../src/orchestration/presenters/dry-run.js";
import { formSeed, missingParams, PARAMS_ACTION } from "../src/orchestration/presenters/params-form.js";
import { renderRun } from "../src/orchestration/presenters/run-status.js";
import { protectSecrets } from "./orchestration-common.js";
import { defineCommand } from "./services.js";

export default defineCommand({
  name: "run",
  summary: "Request a runbook run (key=value parameters); --dry-run shows the plan only",
  description:
    "Parameters are typed and checked before anything runs, and reach commands only single-quoted. A runbook with approvers waits for one of them (not you) to approve; otherwise it starts at once. --dry-run shows the resolved steps, commands (secrets masked), targets and gates as they stand now (gates after a state-changing step are checked when reached), and executes nothing. Both check what the run will need — SSH settings and pinned host keys of every device a step reaches, a value for every parameter a step renders, management data for every gate — and a request that would fail on them is refused before anyone is asked to approve.",
  args: [
    {
      name: "runbook",
      type: "string",
      kind: "positional",
      required: true,
      description: "runbook name (see `runbooks`)",
    },
    { name: "dry-run", type: "bool", kind: "flag", description: "show the plan; run nothing" },
  ],
  allowExtraOptions: true,
  examples: ["run service-restart host=web01 service=nginx", "run web-deploy version=v1.4.2 --dry-run"],
  sideEffects: true,
  async handler(args, ctx) {
    const o = ctx.services.orchestration;
    const runbook = String(args.values.runbook);
    protectSecrets(ctx, runbook, args.extra);
    if (args.values["dry-run"] === true) {
      const check = await o.dryRun(runbook, args.extra);
      return renderPlan(check.preview, check.gates, check);
    }
    const version = o.runbook(runbook);
    const missing = version ? missingParams(version, args.extra) : [];
    if (version && missing.length > 0) {
      // Nothing is requested yet: ask for what is missing (a form in Slack), typed per parameter.
      return {
        blocks: [
          text(`${runbook} needs ${missing.join(", ")}.`),
          buttons({
            actionId: PARAMS_ACTION.open,
            label: "Fill in parameters",
            value: formSeed(version, args.extra),
            style: "primary",
          }),
          context(`Or say \`run ${runbook} ${missing.map((m) => `${m}=…`).join(" ")}\`.`),
        ],
      };
    }
    // Before anyone is asked to approve: what the run will need (SSH settings, host keys, gate data).
    const { problems } = await o.dryRun(runbook, args.extra);
    if (problems.length > 0)
      return errorReply(
        `Cannot request ${runbook}: the run would fail at a step whatever anyone approves. Nothing was requested.`,
        [...problems, `\`run ${runbook} … --dry-run\` shows the whole plan.`],
      );
    const r = o.request({
      runbook,
      params: args.extra,
      user: ctx.user,
      channel: ctx.channel,
      ...(ctx.threadTs ? { threadTs: ctx.threadTs } : {}),
    });
    const policy = r.preview.policy;
    const view = o.view(r.run.id)!;
    const reply = (await ctx.services.runReporter.parentOf(r.run.id))
      ? // The request, with its buttons and live checklist, is its own message kept by the reporter.
        { blocks: [context(paramsLine(view.run.params))] }
      : renderRun(view, ctx.services.clock.now());
    if (r.approvalId !== undefined && policy) {
      reply.blocks.unshift(
        text(
          `Run ${r.run.id} of ${runbook} is waiting for approval: ${policy.minApprovals} of ${policy.approvers.join(", ")}${
            policy.allowSelf ? "" : " (not you)"
          }, within ${formatDuration(policy.expiresInMs)}.`,
        ),
      );
      reply.blocks.push(
        context(`\`run status ${r.run.id}\` shows its progress; \`cancel ${r.run.id}\` withdraws it.`),
      );
    } else {
      reply.blocks.unshift(text(`Run ${r.run.id} of ${runbook} started.`));
    }
    reply.isError = false;
    return reply;
  },
});

function paramsLine(params: Record<string, string>): string {
  const list = Object.entries(params).map(([k, v]) => `${k}=${v}`);
  return `Parameters: ${list.length ? list.join(" ") : "none"} · the run's own message shows its steps as they go.`;
}
