/**
 * Input limits (documented in docs/limits.md). Whatever arrives is bounded before it is parsed: a
 * command longer than MAX_COMMAND_CHARS (Slack allows 40,000 characters in a message; no opsbot
 * command needs more than a few hundred), a button value over Slack's own 2,000, a form (Slack modal)
 * field over MAX_FORM_FIELD_CHARS or a whole submission over MAX_FORM_CHARS is refused with a
 * sentence naming what and the limit, and nothing runs. The audit keeps a redacted form of whatever
 * arrived, cut at MAX_AUDIT_TEXT_CHARS. Runbook parameter values have their own limit
 * (orchestration/params.ts), the same as a form field's: a form is how most of them arrive.
 */
export const MAX_COMMAND_CHARS = 4000;
export const MAX_ACTION_VALUE_CHARS = 2000;
export const MAX_FORM_FIELD_CHARS = 1000;
export const MAX_FORM_CHARS = 16_000;
export const MAX_AUDIT_TEXT_CHARS = 1000;

const n = (x: number) => x.toLocaleString("en-US");

/** Redacted first, then cut, so a secret straddling the cut is never half-kept. */
export function auditForm(redact: (text: string) => string, text: string): string {
  const clean = redact(text);
  if (clean.length <= MAX_AUDIT_TEXT_CHARS) return clean;
  return `${clean.slice(0, MAX_AUDIT_TEXT_CHARS)}… [${clean.length - MAX_AUDIT_TEXT_CHARS} more characters]`;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** Form values over their limit, one sentence per field (what a modal shows next to the field). */
export function formLimitProblems(values: Readonly<Record<string, string>>): FieldProblem[] {
  return Object.entries(values)
    .filter(([, v]) => v.length > MAX_FORM_FIELD_CHARS)
    .map(([field, v]) => ({
      field,
      message: `${field} is ${n(v.length)} characters long; at most ${n(MAX_FORM_FIELD_CHARS)} are accepted.`,
    }));
}

/** The refusal for a whole form submission, or undefined when it is within every limit. */
export function formRefusal(
  submission: string,
  values: Readonly<Record<string, string>>,
): string | undefined {
  const fields = formLimitProblems(values);
  if (fields.length > 0) {
    return `The form was not submitted: ${fields.map((f) => f.message).join(" ")} Nothing was done.`;
  }
  if (submission.length > MAX_FORM_CHARS) {
    return `The form was not submitted: it carried ${n(submission.length)} characters; at most ${n(MAX_FORM_CHARS)} are accepted. Nothing was done.`;
  }
  return undefined;
}
