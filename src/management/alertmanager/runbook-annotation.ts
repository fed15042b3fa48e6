import { tokenize } from "../../chat/tokenize.js";

/**
 * The `opsbot_runbook` annotation: `RUNBOOK key=value …`, e.g.
 * `opsbot_runbook: 'service-restart host={{ $labels.instance }} service=nginx'` in a Prometheus alerting
 * rule (Prometheus expands the template; Alertmanager passes the result on). Values may be quoted as in
 * chat (`reason="disk full"`). Only a runbook name and key=value pairs are accepted — no flags, no
 * positional words — and the values are still typed, validated and shell-quoted by the runbook's own
 * params when the Run button re-enters `run` as the clicking user.
 */
export const RUNBOOK_ANNOTATION = "opsbot_runbook";

export type RunbookSuggestion =
  | { ok: true; runbook: string; params: Record<string, string> }
  | { ok: false; problem: string };

const RUNBOOK = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const PARAM = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_CHARS = 1000;

export function parseRunbookAnnotation(text: string): RunbookSuggestion {
  if (text.trim() === "") return { ok: false, problem: "it is empty" };
  if (text.length > MAX_CHARS) return { ok: false, problem: `it is longer than ${MAX_CHARS} characters` };
  if (text.includes("{{"))
    return {
      ok: false,
      problem:
        "it holds an unexpanded template ({{ … }}); templates are expanded by Prometheus alerting rules",
    };
  if (text.includes("\0")) return { ok: false, problem: "it contains a NUL character" };
  let tokens: ReturnType<typeof tokenize>;
  try {
    tokens = tokenize(text);
  } catch (err) {
    return { ok: false, problem: (err as Error).message };
  }
  const [first, ...rest] = tokens;
  if (!first || first.quoted || first.key !== undefined || !RUNBOOK.test(first.value))
    return {
      ok: false,
      problem: `"${first?.value ?? ""}" is not a runbook name (letters, digits, - _ .); the format is RUNBOOK key=value …`,
    };
  const params: Record<string, string> = {};
  for (const t of rest) {
    if (t.key === undefined || !PARAM.test(t.key))
      return { ok: false, problem: `"${t.value}" is not a key=value parameter` };
    if (Object.hasOwn(params, t.key)) return { ok: false, problem: `parameter ${t.key} is given twice` };
    params[t.key] = t.value;
  }
  return { ok: true, runbook: first.value, params };
}

/**
 * What opsbot's `run` would say about a suggestion now, as far as the runbook goes (the catalog as last
 * reloaded and the runbook's own parameter checks; never who may run it). Wired in by the core from
 * orchestration (management does not import it); without one, a well-formed annotation gets its button.
 */
export type SuggestionCheck = (
  runbook: string,
  params: Record<string, string>,
) =>
  | { ok: true }
  | { ok: false; unknownRunbook: true; didYouMean: string[] }
  | { ok: false; unknownRunbook: false; problems: string[] };

/** Why a well-formed suggestion gets no Run button, in words; undefined when `run` would take it. */
export function suggestionProblem(
  check: SuggestionCheck | undefined,
  runbook: string,
  params: Record<string, string>,
): string | undefined {
  if (!check) return undefined;
  let v: ReturnType<SuggestionCheck>;
  try {
    v = check(runbook, params);
  } catch (err) {
    // The message still goes out; the click would meet the same failure.
    return `runbook \`${runbook}\` suggested by the alert could not be checked (${(err as Error).message})`;
  }
  if (v.ok) return undefined;
  if (v.unknownRunbook) {
    const close = v.didYouMean.map((n) => `\`${n}\``).join(", ");
    return `runbook \`${runbook}\` suggested by the alert does not exist${close ? ` (did you mean ${close}?)` : ""}`;
  }
  return `runbook \`${runbook}\` suggested by the alert refuses its parameters — ${v.problems.join("; ")}`;
}
