import { type Reply, table, text } from "../../chat/reply.js";
import { formatAge } from "../../lib/clock.js";
import type { RunRow } from "../types.js";
import { RUN_LABEL } from "./step-line.js";

/** `runs`: recent runs, one row each. */
export function renderRunList(rows: readonly RunRow[], now: number, title: string): Reply {
  if (rows.length === 0) return { blocks: [text(`${title}: none.`)] };
  return {
    blocks: [
      table(
        ["Run", "Runbook", "Status", "Requested", "By"],
        rows.map((r) => [
          String(r.id),
          r.runbook,
          RUN_LABEL[r.status],
          formatAge(now - r.requestedAt),
          r.requestedByName,
        ]),
        title,
      ),
    ],
  };
}
