import { type Block, code, context, type Reply, table, text } from "../../chat/reply.js";
import type { RunbookVersion } from "../runbooks/parse.js";
import { formatProblem, type RunbookProblem } from "../runbooks/problems.js";
import { shortHash } from "./step-line.js";

/** `runbooks`: what can be run, with the problems of files that did not load. */
export function renderRunbookList(
  versions: readonly RunbookVersion[],
  problems: readonly RunbookProblem[],
): Reply {
  const blocks: Block[] = [];
  if (versions.length === 0) blocks.push(text("No runbooks are loaded."));
  else {
    blocks.push(
      table(
        ["Runbook", "Description", "Parameters", "Version"],
        versions.map((v) => [
          v.name,
          v.runbook.description ?? "",
          Object.entries(v.runbook.params)
            .map(([k, p]) => `${k}:${p.type}${p.default === undefined && (p.required ?? true) ? "" : "?"}`)
            .join(" "),
          shortHash(v.hash),
        ]),
      ),
      context("Run one with `run <runbook> key=value …`; add --dry-run to see the plan first."),
    );
  }
  if (problems.length > 0) {
    blocks.push(
      text(`${problems.length} problem(s) in runbook files (the last valid version stays active):`),
    );
    blocks.push(code(problems.map(formatProblem).join("\n")));
  }
  return { blocks };
}
