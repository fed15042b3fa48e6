import { type Block, code, context, type Reply, table, text } from "../../chat/reply.js";
import { describeScope } from "../../lib/channel-scope.js";
import type { RunbookVersion } from "../runbooks/parse.js";
import { formatProblem, type RunbookProblem } from "../runbooks/problems.js";
import { shortHash } from "./step-line.js";

export interface ListedRunbook {
  version: RunbookVersion;
  /** May be requested in the channel where the list was asked for. */
  here: boolean;
}

/** `runbooks`: what the asking user may request (and where), with the problems of files that did not load. */
export function renderRunbookList(
  listed: readonly ListedRunbook[],
  problems: readonly RunbookProblem[],
  opts: { hidden: number; channels: Record<string, string> },
): Reply {
  const blocks: Block[] = [];
  if (listed.length === 0) {
    blocks.push(
      text(
        opts.hidden > 0
          ? `You may not request any of the ${opts.hidden} loaded runbook(s): each names its runners (default: the oncall role). Ask an admin if you should.`
          : "No runbooks are loaded.",
      ),
    );
  } else {
    blocks.push(
      table(
        ["Runbook", "Description", "Parameters", "Where", "Version"],
        listed.map(({ version: v, here }) => [
          v.name,
          v.runbook.description ?? "",
          paramList(v),
          v.runbook.channels
            ? `${describeScope(v.runbook.channels, opts.channels)}${here ? "" : " (not here)"}`
            : "anywhere",
          shortHash(v.hash),
        ]),
      ),
      context(
        `Run one with \`run <runbook> key=value …\`; add --dry-run to see the plan first.${
          opts.hidden > 0 ? ` ${opts.hidden} more runbook(s) are for other people.` : ""
        }`,
      ),
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

/** "host:device service:string" — a trailing ? marks an optional parameter. */
export function paramList(v: RunbookVersion): string {
  return Object.entries(v.runbook.params)
    .map(([k, p]) => `${k}:${p.type}${p.default === undefined && (p.required ?? true) ? "" : "?"}`)
    .join(" ");
}
