import type { ApprovalStatus, RunStatus, StepStatus } from "./types.js";

/**
 * Progress events, for a reporter (presenters/run-reporter.ts posts them into the run's chat thread). They are hints
 * to re-render, not the source of truth: every event is already in the store when it is emitted, and
 * `loadRunView` renders a run from the store alone — a missed event heals on the next one.
 */
export type ProgressEvent =
  | { type: "run"; runId: number; status: RunStatus; reason?: string | null; at: number }
  | { type: "step"; runId: number; key: string; status: StepStatus; attempt: number; at: number }
  | { type: "output"; runId: number; key: string; stream: "stdout" | "stderr"; text: string; at: number }
  | {
      type: "approval";
      runId: number;
      approvalId: number;
      stepKey: string | null;
      status: ApprovalStatus;
      at: number;
    };

export type ProgressListener = (event: ProgressEvent) => void;

export interface ProgressHub {
  subscribe(listener: ProgressListener): () => void;
  emit(event: ProgressEvent): void;
}

/** Fan-out that isolates listeners: one that throws is logged and never stops the engine. */
export function createProgressHub(onError: (err: unknown) => void = () => {}): ProgressHub {
  const listeners = new Set<ProgressListener>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(event) {
      for (const l of listeners) {
        try {
          l(event);
        } catch (err) {
          onError(err);
        }
      }
    },
  };
}
