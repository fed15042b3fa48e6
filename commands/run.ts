import { defineCommand } from "../src/chat/command.js";
import { context, text } from "../src/chat/reply.js";
import { formatDuration } from "../src/lib/clock.js";
import { renderPlan, renderRun } from "../src/orchestration/render.js";
import { orchestrationOf, protectSecrets } from "./orchestration-common.js";

export default defineCommand({
  name: "run",
  summary: "Request a runbook run (key=value parameters); --dry-run shows the plan only",
  description:
    "Parameters are typed and checked before anything runs, and reach commands only single-quoted. A runbook with approvers waits for one of them (not you) to approve; otherwise it starts at once. --dry-run shows the resolved steps, commands (secrets masked), targets and gates as they stand now, and executes nothing.",
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
  examples: ["run restart-service host=web1 service=nginx", "run web-deploy version=v1.4.2 --dry-run"],
  sideEffects: true,
  async handler(args, ctx) {
    const o = orchestrationOf(ctx);
    const runbook = String(args.values.runbook);
    protectSecrets(ctx, runbook, args.extra);
    if (args.values["dry-run"] === true) {
      const { preview, gates } = await o.dryRun(runbook, args.extra);
      return renderPlan(preview, gates);
    }
    const r = o.request({
      runbook,
      params: args.extra,
      user: ctx.user,
      channel: ctx.channel,
      ...(ctx.threadTs ? { threadTs: ctx.threadTs } : {}),
    });
    const view = o.view(r.run.id)!;
    const reply = renderRun(view, ctx.services.clock.now());
    const policy = r.preview.policy;
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
