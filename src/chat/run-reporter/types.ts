import type { MessageRef } from "../port.js";

/** What commands may ask of the run reporter (built in the composition root, `services.runReporter`). */
export interface RunReporter {
  /** The run's parent message (the request / live checklist), posting it if needed. */
  parentOf(runId: number): Promise<MessageRef | undefined>;
  /** Resolves when every message queued so far has been handed to the chat port. */
  idle(): Promise<void>;
  close(): void;
}
