import { code, context, heading, reply, withData } from "../src/chat/reply.js";
import { suggest } from "../src/chat/suggest.js";
import { NotFoundError } from "../src/lib/errors.js";
import { runLogData } from "../src/orchestration/presenters/run-data.js";
import { runIdOf } from "./orchestration-common.js";
import { defineCommand } from "./services.js";

/**
 * A run's stored (redacted) output after the fact: every step in order, or one step. The whole log is
 * one code block: the console pages it (`more`), Slack sends a long one as a file.
 */
export default defineCommand({
  name: "run log",
  summary: "A run's stored output, all steps or one (paged in the console, a file in Slack when long)",
  description:
    "Reads the output each step of a run wrote, as stored (secrets redacted; past `output_cap_bytes` the step's tail). Without a step, every step's output in order under its name. In the console a long log is shown a page at a time (`more` for the next page); in Slack it is uploaded as a file.",
  args: [
    { name: "id", type: "string", kind: "positional", required: true, description: "run id" },
    {
      name: "step",
      type: "string",
      kind: "positional",
      description: "step id or key, e.g. install or deploy@web01",
    },
  ],
  examples: ["run log 12", "run log 12 install"],
  sideEffects: false,
  handler(args, ctx) {
    const o = ctx.services.orchestration;
    const id = runIdOf(args.values.id);
    const view = o.view(id);
    if (!view) throw new NotFoundError(`No run ${id}.`, ["`runs` lists recent runs"]);
    const wanted = args.values.step === undefined ? undefined : String(args.values.step);
    const keys = wanted === undefined ? undefined : stepKeys(view.steps, wanted);
    if (keys?.length === 0) {
      const all = view.steps.map((s) => s.key);
      const close = suggest(wanted!, all);
      throw new NotFoundError(`Run ${id} has no step "${wanted}".`, [
        close.length > 0 ? `Did you mean ${close.join(", ")}?` : `Its steps: ${all.join(", ")}.`,
      ]);
    }
    const rows = o.output(id).filter((r) => keys === undefined || keys.includes(r.stepKey));
    const what = wanted === undefined ? "all steps" : `step ${keys!.join(", ")}`;
    const data = runLogData(view, keys ?? null, rows);
    const title = heading(`Run ${id} (${view.run.runbook}), ${what}: stored output`);
    if (rows.length === 0)
      return withData(
        reply(
          title,
          context(`Nothing stored: ${what === "all steps" ? "no step" : "the step"} wrote output.`),
        ),
        data,
      );
    let text = "";
    let current: string | undefined;
    const several = new Set(rows.map((r) => r.stepKey)).size > 1 || wanted === undefined;
    for (const r of rows) {
      if (several && r.stepKey !== current) {
        const step = view.steps.find((s) => s.key === r.stepKey);
        text += `${text === "" || text.endsWith("\n") ? "" : "\n"}── ${r.stepKey}${step ? ` (${step.status})` : ""}\n`;
        current = r.stepKey;
      }
      text += r.text;
    }
    const filename = `run-${id}${wanted === undefined ? "" : `-${wanted.replace(/[^A-Za-z0-9._-]+/g, "_")}`}.log`;
    return withData(
      reply(
        title,
        code(text.replace(/\n$/, ""), filename),
        context(`${text.split("\n").length - (text.endsWith("\n") ? 1 : 0)} lines · secrets redacted`),
      ),
      data,
    );
  },
});

/** A step's key ("deploy@web01"), or every instance of a step id ("deploy" → deploy@web01, deploy@web02). */
function stepKeys(steps: { key: string; stepId: string }[], wanted: string): string[] {
  const w = wanted.toLowerCase();
  const exact = steps.filter((s) => s.key.toLowerCase() === w).map((s) => s.key);
  return exact.length > 0 ? exact : steps.filter((s) => s.stepId.toLowerCase() === w).map((s) => s.key);
}
