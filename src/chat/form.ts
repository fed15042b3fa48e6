/**
 * A small transport-free form: what a command asks for when typed arguments are missing. Slack shows
 * it as a modal (views.open); a transport without forms never gets one (ActionContext.openForm absent).
 * The submission comes back as an action: `submitActionId` with the values and `metadata`.
 */
export interface FormField {
  name: string;
  label: string;
  hint?: string;
  /** "select" shows `choices`; everything else is one line of text, checked by the handler. */
  type: "text" | "select";
  choices?: string[];
  initial?: string;
  optional?: boolean;
}

export interface Form {
  title: string;
  submitLabel: string;
  /** The action that receives `{ metadata, values }` (JSON) when the form is submitted. */
  submitActionId: string;
  /** Opaque to the transport; handed back with the values. Never secret, never identity. */
  metadata: string;
  fields: FormField[];
}

export interface FormSubmission {
  metadata: string;
  values: Record<string, string>;
}
