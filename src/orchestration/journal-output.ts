import type { Clock } from "../lib/clock.js";
import type { Store } from "../store/store.js";

/**
 * Step output in the store: redacted chunks (the engine redacts before they get here), written in
 * batches with synchronous=NORMAL, capped per step by dropping the oldest chunks so the tail stays.
 */
export interface OutputChunk {
  runId: number;
  stepKey: string;
  attempt: number;
  stream: "stdout" | "stderr";
  text: string;
}

export interface OutputRow extends OutputChunk {
  seq: number;
  at: number;
}

export function createOutputLog(deps: { store: Store; clock: Clock; capBytes: number }) {
  const { store, clock, capBytes: cap } = deps;
  const db = store.db;
  const s = {
    insertOutput: db.prepare(
      "INSERT INTO run_output (run_id, step_key, attempt, stream, at, text) VALUES (?, ?, ?, ?, ?, ?)",
    ),
    addBytes: db.prepare(
      "UPDATE run_steps SET output_bytes = output_bytes + ? WHERE run_id = ? AND key = ? RETURNING output_bytes",
    ),
    oldest: db.prepare(`SELECT seq, length(CAST(text AS BLOB)) AS n FROM run_output
      WHERE run_id = ? AND step_key = ? ORDER BY seq LIMIT 256`),
    dropOutput: db.prepare("DELETE FROM run_output WHERE seq = ?"),
    newest: db.prepare(
      "SELECT seq, text FROM run_output WHERE run_id = ? AND step_key = ? ORDER BY seq DESC LIMIT 1",
    ),
    text: db.prepare("SELECT text FROM run_output WHERE run_id = ? AND step_key = ? ORDER BY seq"),
    setText: db.prepare("UPDATE run_output SET text = ? WHERE seq = ?"),
    truncated: db.prepare(
      "UPDATE run_steps SET output_bytes = ?, output_truncated = 1 WHERE run_id = ? AND key = ?",
    ),
  };

  /** Drops the oldest chunks past the cap; the newest chunk is cut to its tail rather than dropped. */
  function trimOutput(runId: number, key: string, total: number): void {
    let bytes = total;
    const newest = s.newest.get(runId, key) as { seq: number; text: string } | undefined;
    while (bytes > cap) {
      const rows = (s.oldest.all(runId, key) as { seq: number; n: number }[]).filter(
        (r) => r.seq !== newest?.seq,
      );
      if (rows.length === 0) break;
      for (const r of rows) {
        if (bytes <= cap) break;
        s.dropOutput.run(r.seq);
        bytes -= r.n;
      }
    }
    if (bytes > cap && newest) {
      const buf = Buffer.from(newest.text, "utf8");
      // Cut at a character boundary: skip UTF-8 continuation bytes at the new start.
      let start = buf.length - cap;
      while (start < buf.length && (buf[start]! & 0xc0) === 0x80) start++;
      const tail = buf.subarray(start).toString("utf8");
      s.setText.run(tail, newest.seq);
      bytes = Buffer.byteLength(tail, "utf8");
    }
    s.truncated.run(Math.max(0, bytes), runId, key);
  }

  return {
    /** Appends redacted output; keeps at most the cap per step by dropping the oldest chunks. */
    appendOutput(chunks: readonly OutputChunk[]): void {
      if (chunks.length === 0) return;
      store.tx(() => {
        const now = clock.now();
        const totals = new Map<string, { runId: number; key: string; bytes: number }>();
        for (const c of chunks) {
          s.insertOutput.run(c.runId, c.stepKey, c.attempt, c.stream, now, c.text);
          const id = `${c.runId}\u0000${c.stepKey}`;
          const t = totals.get(id) ?? { runId: c.runId, key: c.stepKey, bytes: 0 };
          t.bytes += Buffer.byteLength(c.text, "utf8");
          totals.set(id, t);
        }
        for (const t of totals.values()) {
          const row = s.addBytes.get(t.bytes, t.runId, t.key) as { output_bytes: number } | undefined;
          if (row && row.output_bytes > cap) trimOutput(t.runId, t.key, row.output_bytes);
        }
      });
    },

    /** A step's whole stored output (redacted), oldest first: the file attached when a step ends. */
    outputText(runId: number, key: string): string {
      return (s.text.all(runId, key) as { text: string }[]).map((r) => r.text).join("");
    },

    output(runId: number, key?: string): OutputRow[] {
      const rows = (
        key === undefined
          ? db.prepare("SELECT * FROM run_output WHERE run_id = ? ORDER BY seq").all(runId)
          : db
              .prepare("SELECT * FROM run_output WHERE run_id = ? AND step_key = ? ORDER BY seq")
              .all(runId, key)
      ) as Record<string, unknown>[];
      return rows.map((r) => ({
        seq: r.seq as number,
        runId: r.run_id as number,
        stepKey: r.step_key as string,
        attempt: r.attempt as number,
        stream: r.stream as "stdout" | "stderr",
        at: r.at as number,
        text: r.text as string,
      }));
    },
  };
}
