import type { MessageRef } from "../../chat/port.js";
import type { Store } from "../../store/store.js";

/**
 * Where a run's messages live, kept in the run's own journal so a restarted bot finds the parent
 * message again (to re-render it and to post "interrupted" into its thread) instead of posting a new one.
 */
const PARENT = "report.parent_posted";

export function recordParent(store: Store, runId: number, ref: MessageRef, at: number): void {
  store.db
    .prepare(
      "INSERT INTO run_journal (run_id, at, event, step_key, attempt, detail) VALUES (?, ?, ?, NULL, NULL, ?)",
    )
    .run(runId, at, PARENT, JSON.stringify({ channel: ref.channel, ts: ref.ts }));
}

export function findParent(store: Store, runId: number): MessageRef | undefined {
  const row = store.db
    .prepare("SELECT detail FROM run_journal WHERE run_id = ? AND event = ? ORDER BY seq DESC LIMIT 1")
    .get(runId, PARENT) as { detail: string } | undefined;
  if (!row) return undefined;
  const d = JSON.parse(row.detail) as { channel?: unknown; ts?: unknown };
  return typeof d.channel === "string" && typeof d.ts === "string"
    ? { channel: d.channel, ts: d.ts }
    : undefined;
}

/** A step's whole stored output (redacted), oldest first: for the file attached when a step ends. */
export function readStepLog(store: Store, runId: number, key: string): string {
  const rows = store.db
    .prepare("SELECT text FROM run_output WHERE run_id = ? AND step_key = ? ORDER BY seq")
    .all(runId, key) as { text: string }[];
  return rows.map((r) => r.text).join("");
}
