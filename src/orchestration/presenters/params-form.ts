import type { Form } from "../../chat/form.js";
import type { RunbookVersion } from "../runbooks/parse.js";

/**
 * When `run <runbook>` lacks required parameters, the request is completed in a form (a Slack modal):
 * one typed field per parameter, the given ones filled in. Secret values are never carried in the form's
 * metadata or a button value — only the runbook name and non-secret values are.
 */
export const PARAMS_ACTION = { open: "run.params", submit: "run.params.submit" } as const;

export function missingParams(version: RunbookVersion, given: Record<string, string>): string[] {
  return Object.entries(version.runbook.params)
    .filter(([name, p]) => p.default === undefined && (p.required ?? true) && !(name in given))
    .map(([name]) => name);
}

/** Button value / form metadata: the runbook and the non-secret values given so far (≤ 2,000 chars). */
export function formSeed(version: RunbookVersion, given: Record<string, string>): string {
  const keep = Object.fromEntries(
    Object.entries(given).filter(
      ([name]) => version.runbook.params[name] && !version.runbook.params[name].secret,
    ),
  );
  const full = JSON.stringify({ runbook: version.name, given: keep });
  return full.length <= 2000 ? full : JSON.stringify({ runbook: version.name, given: {} });
}

export function parseSeed(text: string): { runbook: string; given: Record<string, string> } | undefined {
  try {
    const v = JSON.parse(text) as { runbook?: unknown; given?: unknown };
    if (typeof v.runbook !== "string") return undefined;
    const given: Record<string, string> = {};
    if (v.given && typeof v.given === "object")
      for (const [k, x] of Object.entries(v.given)) if (typeof x === "string") given[k] = x;
    return { runbook: v.runbook, given };
  } catch {
    return undefined;
  }
}

export function paramsForm(version: RunbookVersion, seed: string, devices: string[]): Form {
  const given: Record<string, string> = parseSeed(seed)?.given ?? {};
  return {
    title: `Run ${version.name}`,
    submitLabel: "Request run",
    submitActionId: PARAMS_ACTION.submit,
    metadata: seed,
    fields: Object.entries(version.runbook.params).map(([name, p]) => {
      const choices =
        p.type === "enum"
          ? p.choices
          : p.type === "device"
            ? devices
            : p.type === "bool"
              ? ["true", "false"]
              : undefined;
      const initial = given[name] ?? (p.default === undefined ? undefined : String(p.default));
      const hint = [
        p.description,
        p.type === "int"
          ? "a whole number"
          : p.type === "duration"
            ? "a duration such as 30s or 5m"
            : undefined,
        p.pattern ? `must match ${p.pattern}` : undefined,
        p.secret ? "secret: masked in chat and logs, never stored" : undefined,
      ]
        .filter(Boolean)
        .join(" · ");
      return {
        name,
        label: `${name} (${p.type})`,
        type: choices?.length ? ("select" as const) : ("text" as const),
        ...(choices?.length ? { choices } : {}),
        ...(initial !== undefined ? { initial } : {}),
        ...(hint ? { hint } : {}),
        optional: p.default !== undefined || p.required === false,
      };
    }),
  };
}
