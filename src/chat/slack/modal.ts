import type { Form, FormSubmission } from "../form.js";
import { MAX_FORM_FIELD_CHARS } from "../input-limits.js";

/**
 * Forms as Slack modals: one input block per field (block_id = field name), the form's submit action
 * as callback_id, and the form metadata plus the channel in private_metadata.
 */
const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

export function formToModal(form: Form, channel: string): Record<string, unknown> {
  return {
    type: "modal",
    callback_id: form.submitActionId,
    private_metadata: JSON.stringify({ channel, metadata: form.metadata }),
    title: { type: "plain_text", text: clip(form.title, 24) },
    submit: { type: "plain_text", text: clip(form.submitLabel, 24) },
    close: { type: "plain_text", text: "Cancel" },
    blocks: form.fields.slice(0, 50).map((f) => ({
      type: "input",
      block_id: f.name,
      optional: f.optional === true,
      label: { type: "plain_text", text: clip(f.label, 2000) },
      ...(f.hint ? { hint: { type: "plain_text", text: clip(f.hint, 2000) } } : {}),
      element:
        f.type === "select" && f.choices?.length
          ? {
              type: "static_select",
              action_id: "value",
              options: f.choices
                .slice(0, 100)
                .map((c) => ({ text: { type: "plain_text", text: clip(c, 75) }, value: c })),
              ...(f.initial && f.choices.includes(f.initial)
                ? {
                    initial_option: {
                      text: { type: "plain_text", text: clip(f.initial, 75) },
                      value: f.initial,
                    },
                  }
                : {}),
            }
          : {
              type: "plain_text_input",
              action_id: "value",
              // Slack enforces it while typing; the router checks it again (a payload can be forged).
              max_length: MAX_FORM_FIELD_CHARS,
              ...(f.initial ? { initial_value: f.initial } : {}),
            },
    })),
  };
}

interface ViewState {
  callback_id?: string;
  private_metadata?: string;
  state?: {
    values?: Record<
      string,
      Record<string, { value?: string | null; selected_option?: { value?: string } | null }>
    >;
  };
}

/** The submitted values and where the form was asked for; undefined for a view that is not ours. */
export function modalSubmission(view: ViewState): (FormSubmission & { channel: string }) | undefined {
  let meta: { channel?: unknown; metadata?: unknown };
  try {
    meta = JSON.parse(view.private_metadata ?? "") as typeof meta;
  } catch {
    return undefined;
  }
  if (typeof meta.channel !== "string" || typeof meta.metadata !== "string") return undefined;
  const values: Record<string, string> = {};
  for (const [block, actions] of Object.entries(view.state?.values ?? {})) {
    const v = actions.value;
    const value = v?.selected_option?.value ?? v?.value;
    if (typeof value === "string" && value !== "") values[block] = value;
  }
  return { channel: meta.channel, metadata: meta.metadata, values };
}
